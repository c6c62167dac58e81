// The release plan's waves against a plain oracle, on random acyclic graphs that fast-check can shrink:
// every ordering (a dependency, through libraries or other services, or a deployAfter) is respected,
// and each service sits in the earliest wave possible — its wave is the length of the longest chain of
// planned services it waits for, so the number of waves is the fewest any valid order can use.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type PlanProject, planRelease } from '../../electron/core/release/plan.js';

/** Projects p0…pN-1; every edge points to a lower number, so the graph is acyclic. */
const cases = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    deployable: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.boolean()), { maxLength: n * 3 }),
    selected: fc.subarray(Array.from({ length: n }, (_, i) => `p${i}`)),
    live: fc.array(fc.constantFrom('same', 'other', 'failed', 'none'), { minLength: n, maxLength: n }),
  }).map(({ deployable, edges, selected, live }) => {
    const projects: PlanProject[] = deployable.map((isService, i) => {
      const lower = edges.filter(([from, to]) => from === i && to < i);
      return {
        name: `p${i}`,
        deployable: isService,
        dependencies: [...lower.filter(([, , after]) => !after).map(([, to]) => `p${to}`), 'npm:zod'],
        deployAfter: isService ? lower.filter(([, to, after]) => after && deployable[to]).map(([, to]) => `p${to}`) : [],
      };
    });
    return { projects, selected, live };
  }),
);

/** Everything reachable from `from` over dependencies and deployAfter, through any project. */
function reachable(projects: readonly PlanProject[], from: string): Set<string> {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const todo = [...(byName.get(from)?.dependencies ?? []), ...(byName.get(from)?.deployAfter ?? [])];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    const project = byName.get(name);
    if (seen.has(name) || !project) continue;
    seen.add(name);
    todo.push(...project.dependencies, ...(project.deployAfter ?? []));
  }
  return seen;
}

/** The longest chain of `deploying` services that `service` waits for (0 when it waits for none). */
function depth(service: string, deploying: ReadonlySet<string>, reach: ReadonlyMap<string, Set<string>>, memo = new Map<string, number>()): number {
  const known = memo.get(service);
  if (known !== undefined) return known;
  let longest = 0;
  for (const other of reach.get(service) ?? []) if (deploying.has(other)) longest = Math.max(longest, 1 + depth(other, deploying, reach, memo));
  memo.set(service, longest);
  return longest;
}

describe('planRelease (property)', () => {
  test.prop([cases])('every edge is respected and each service deploys in the earliest possible wave', ({ projects, selected, live }) => {
    const images = Object.fromEntries(projects.map((p) => [p.name, `repo/${p.name}:new`]));
    const liveServices = Object.fromEntries(
      projects.flatMap((p, i) => {
        const how = live[i];
        if (how === 'none') return [];
        return [[p.name, { image: how === 'other' ? `repo/${p.name}:old` : images[p.name]!, state: how === 'failed' ? ('failed' as const) : ('ready' as const) }]];
      }),
    );
    const plan = planRelease({ projects, selected, environments: ['local', 'staging'], images, live: { staging: liveServices } });
    const services = projects.filter((p) => p.deployable && selected.includes(p.name)).map((p) => p.name).sort();
    const reach = new Map(projects.map((p) => [p.name, reachable(projects, p.name)]));

    expect(plan.services).toEqual(services);
    expect(plan.order).toEqual(services.map((service) => ({ service, after: services.filter((s) => reach.get(service)?.has(s)).sort() })));
    for (const environment of plan.environments) {
      const skipped = new Set(environment.skipped.map((s) => s.service));
      // Only staging has live services; there a service is skipped exactly when the same image is ready.
      const unchanged = environment.name === 'staging' ? services.filter((s) => live[Number(s.slice(1))] === 'same') : [];
      expect([...skipped].sort()).toEqual(unchanged);
      const deploying = new Set(services.filter((s) => !skipped.has(s)));
      expect(environment.waves.flat().sort()).toEqual([...deploying].sort());
      const memo = new Map<string, number>();
      environment.waves.forEach((names, wave) => {
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(wave, `${name} in ${environment.name}`).toBe(depth(name, deploying, reach, memo));
      });
    }
  });
});
