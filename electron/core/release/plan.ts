// The release plan: which deployable services a change ships, and for each environment (in promotion
// order) the waves they deploy in. A service deploys in a later wave than every deployable it depends
// on — directly, through libraries, or through `deployAfter` — and the number of waves is the fewest
// possible (each service's wave is the longest chain of planned services it waits for). Pure.
import type { EnvironmentPlan, ReleasePlan, SkippedService } from '../../../shared/contract/release.js';
import { ConvoyError } from '../../../shared/errors.js';
import { findCycles } from '../cycles.js';

export interface PlanProject {
  name: string;
  /** Nx dependencies (projects or external nodes; unknown names are ignored). */
  dependencies: readonly string[];
  /** Convoy builds and deploys it (a convoy block and its Dockerfile). */
  deployable: boolean;
  /** Deployables it must deploy after, from its convoy block. */
  deployAfter?: readonly string[];
}

/** What runs in an environment now, per service (from the target's status). */
export interface LiveService {
  image: string | null;
  state: 'missing' | 'progressing' | 'ready' | 'failed';
}

export interface PlanInput {
  projects: readonly PlanProject[];
  /** Projects in the release: the affected set, or the ones the user named. */
  selected: readonly string[];
  /** Environment names in promotion order. */
  environments: readonly string[];
  /** The image each service would deploy, when known; a service without one is never skipped. */
  images?: Readonly<Record<string, string>>;
  /** Per environment, what runs there; an environment missing here skips nothing. */
  live?: Readonly<Record<string, Readonly<Record<string, LiveService>>>>;
}

type Edge = { to: string; how: string };

/** Deployables a deployable waits for, found by walking through non-deployable nodes (libraries). */
function deployEdges(project: PlanProject, byName: ReadonlyMap<string, PlanProject>): Edge[] {
  const edges = new Map<string, string>();
  for (const after of project.deployAfter ?? []) edges.set(after, 'deployAfter');
  const seen = new Set<string>([project.name]);
  const stack = [...project.dependencies].reverse().map((dep) => ({ node: dep, via: [] as string[] }));
  while (stack.length > 0) {
    const { node, via } = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const next = byName.get(node);
    if (!next) continue;
    if (next.deployable) {
      if (!edges.has(node)) edges.set(node, via.length > 0 ? `depends, via ${via.join(' → ')}` : 'depends');
      continue;
    }
    for (const dep of [...next.dependencies].reverse()) stack.push({ node: dep, via: [...via, node] });
  }
  return [...edges].map(([to, how]) => ({ to, how }));
}

function checkDeployAfter(projects: readonly PlanProject[], byName: ReadonlyMap<string, PlanProject>): void {
  for (const project of projects) {
    for (const after of project.deployAfter ?? []) {
      const target = byName.get(after);
      if (!target || !target.deployable) {
        throw new ConvoyError(
          'CONFIG_INVALID',
          `${project.name}'s convoy block says deployAfter "${after}", ${target ? 'which Convoy does not deploy (no convoy block or Dockerfile)' : 'which is not a project of this workspace'}: name a deployable project or remove it`,
        );
      }
    }
  }
}

function refuseCycles(planned: readonly string[], edges: ReadonlyMap<string, Edge[]>): void {
  // Only what the planned services can reach decides their order; a cycle elsewhere is not this release's.
  const reach = new Set<string>();
  const stack = [...planned];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (reach.has(node)) continue;
    reach.add(node);
    for (const edge of edges.get(node) ?? []) stack.push(edge.to);
  }
  const cycles = findCycles([...reach].map((name) => ({ name, dependencies: (edges.get(name) ?? []).map((e) => e.to) })));
  if (cycles.length === 0) return;
  const describe = (cycle: string[]) =>
    cycle
      .map((name, i) => {
        if (i === 0) return name;
        const how = (edges.get(cycle[i - 1]!) ?? []).find((e) => e.to === name)?.how;
        return `${name} (${how})`;
      })
      .join(' → ');
  throw new ConvoyError(
    'DEPLOY_CYCLE',
    `The services cannot be put in deploy order because of a cycle: ${cycles.map(describe).join('; ')}. Remove a deployAfter or a dependency on that path.`,
  );
}

/** For each planned service, the planned services reachable from it (it deploys after all of them). */
function plannedAfter(planned: readonly string[], edges: ReadonlyMap<string, Edge[]>): Map<string, string[]> {
  const inPlan = new Set(planned);
  const result = new Map<string, string[]>();
  for (const service of planned) {
    const seen = new Set<string>([service]);
    const stack = (edges.get(service) ?? []).map((e) => e.to);
    const found: string[] = [];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (inPlan.has(node)) found.push(node);
      for (const edge of edges.get(node) ?? []) stack.push(edge.to);
    }
    result.set(service, found.sort());
  }
  return result;
}

/** Longest-path layering over the services that deploy (the `after` relation is transitively closed). */
export function layerWaves(services: readonly string[], after: ReadonlyMap<string, readonly string[]>): string[][] {
  const deploying = new Set(services);
  const wave = new Map<string, number>();
  // `after` is closed and acyclic, so a service's wave is 1 + the largest wave among what it waits for;
  // sorting by how many it waits for visits every predecessor first.
  const count = (s: string) => (after.get(s) ?? []).filter((a) => deploying.has(a)).length;
  for (const service of [...services].sort((a, b) => count(a) - count(b) || a.localeCompare(b))) {
    const waits = (after.get(service) ?? []).filter((a) => deploying.has(a));
    wave.set(service, waits.length === 0 ? 0 : 1 + Math.max(...waits.map((a) => wave.get(a)!)));
  }
  const waves: string[][] = [];
  for (const [service, index] of wave) (waves[index] ??= []).push(service);
  return waves.map((names) => names.sort());
}

function skipped(environment: string, services: readonly string[], input: PlanInput): SkippedService[] {
  const live = input.live?.[environment];
  if (!live) return [];
  return services.flatMap((service) => {
    const image = input.images?.[service];
    const now = live[service];
    if (!image || !now || now.state !== 'ready' || now.image !== image) return [];
    return [{ service, image, reason: `${image} already runs in ${environment} and is ready` }];
  });
}

export function planRelease(input: PlanInput): ReleasePlan {
  const byName = new Map(input.projects.map((p) => [p.name, p]));
  const unknown = input.selected.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new ConvoyError('INVALID_INPUT', `No project named ${[...new Set(unknown)].sort().join(', ')} in this workspace`);
  }
  checkDeployAfter(input.projects, byName);
  const selected = [...new Set(input.selected)].sort();
  const services = selected.filter((name) => byName.get(name)!.deployable);
  const notDeployable = selected.filter((name) => !byName.get(name)!.deployable);

  const edges = new Map<string, Edge[]>();
  for (const project of input.projects) if (project.deployable) edges.set(project.name, deployEdges(project, byName));
  refuseCycles(services, edges);
  const after = plannedAfter(services, edges);

  const environments = input.environments.map((name): EnvironmentPlan => {
    const skip = skipped(name, services, input);
    const skippedNames = new Set(skip.map((s) => s.service));
    return { name, waves: layerWaves(services.filter((s) => !skippedNames.has(s)), after), skipped: skip };
  });
  return { services, notDeployable, order: services.map((service) => ({ service, after: after.get(service)! })), environments };
}
