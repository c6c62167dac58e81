// Release gates: checks over exactly what is about to be applied (after Convoy's image substitution),
// each a pure function returning the violations it found, each naming the object, the container and the
// rule. The engine runs the enabled ones per environment (convoy.yaml `gates`) and applies nothing when
// one fails. Kubernetes objects and Docker target units are first turned into GateObjects, so every rule
// reads one shape; rules that cannot apply to a Docker container say so in docs/configuration.md.
import type { GatesConfig } from '../../../shared/config.js';

export type GateName = 'immutableImages' | 'resources' | 'hostAccess' | 'testedImages';

export interface GateContainer {
  name: string;
  image: string;
  privileged: boolean;
  /** Resource settings as written; null where the target has none to set (Docker target). */
  resources: { requests: Record<string, unknown>; limits: Record<string, unknown> } | null;
}

export interface GateObject {
  service: string;
  /** e.g. `Deployment shop/orders-api` or `container convoy-local-orders-api`. */
  object: string;
  containers: GateContainer[];
  hostNetwork: boolean;
  /** Names of hostPath volumes. */
  hostPaths: string[];
}

/** An image this release built and tested. */
export interface BuiltImage {
  service: string;
  /**
   * What the environment deploys: `<repository>:<content hash tag>`, or in an environment with a
   * registry `host[:port]/prefix/<repository>@sha256:…`.
   */
  image: string;
  /** The local reference it was built as, when `image` is a registry's digest reference. */
  source?: string;
  /** The engine's image ID (sha256:…) recorded when it was built. */
  imageId: string;
  /** Its tests passed (or it declares none) in this release. */
  tested: boolean;
}

export interface GateViolation {
  gate: GateName;
  service: string;
  object: string;
  container: string | null;
  /** One line naming the object, the container, what is wrong and the rule. */
  message: string;
}

export interface GateResult {
  gate: GateName;
  enabled: boolean;
  violations: GateViolation[];
}

export interface GateReport {
  ok: boolean;
  results: GateResult[];
}

const RULES: Record<GateName, string> = {
  immutableImages: 'gate immutableImages: deploy only images this release built, by their content tag',
  resources: 'gate resources: every container sets cpu and memory requests and limits',
  hostAccess: 'gate hostAccess: no privileged container, hostPath volume or host network unless allowed',
  testedImages: 'gate testedImages: the image deployed is the one built and tested in this release, by image ID',
};

function violation(gate: GateName, object: GateObject, container: GateContainer | null, what: string): GateViolation {
  // A Docker target object is itself the container; naming it twice would read as two things.
  const where = container && object.object !== `container ${container.name}` ? `${object.object}, container ${container.name}` : object.object;
  return { gate, service: object.service, object: object.object, container: container?.name ?? null, message: `${where}: ${what} (${RULES[gate]})` };
}

/** The tag of an image reference, or null (a colon before the last slash is a registry port). */
export function imageTagOf(image: string): string | null {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : null;
}

/** No `:latest`, no missing tag, and no image the release did not build (a digest pin is immutable). */
export function checkImmutableImages(objects: readonly GateObject[], built: readonly BuiltImage[]): GateViolation[] {
  const builtRefs = new Set(built.map((b) => b.image));
  return objects.flatMap((object) =>
    object.containers.flatMap((container) => {
      const image = container.image;
      if (image.includes('@sha256:')) return [];
      const tag = imageTagOf(image);
      if (tag === null) return [violation('immutableImages', object, container, `image ${image} has no tag, so it means whatever :latest is at pull time`)];
      if (tag === 'latest') return [violation('immutableImages', object, container, `image ${image} uses the mutable tag :latest`)];
      if (!builtRefs.has(image)) return [violation('immutableImages', object, container, `image ${image} was not built by this release (pin it by digest or let Convoy build it)`)];
      return [];
    }),
  );
}

const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';

/**
 * Every container sets requests and limits for cpu and memory, as the release gate asks: requests
 * let the scheduler place it, limits keep one service from starving or taking down its node. A team
 * that does not want CPU limits switches the gate off for that environment (`gates.resources: false`).
 */
export function checkResources(objects: readonly GateObject[]): GateViolation[] {
  return objects.flatMap((object) =>
    object.containers.flatMap((container) => {
      if (container.resources === null) return [];
      const missing = [
        ...['cpu', 'memory'].filter((r) => !isSet(container.resources!.requests[r])).map((r) => `requests.${r}`),
        ...['cpu', 'memory'].filter((r) => !isSet(container.resources!.limits[r])).map((r) => `limits.${r}`),
      ];
      return missing.length > 0 ? [violation('resources', object, container, `resources ${missing.join(', ')} not set`)] : [];
    }),
  );
}

export function checkHostAccess(objects: readonly GateObject[], allow: GatesConfig['allow']): GateViolation[] {
  return objects.flatMap((object) => {
    const found: GateViolation[] = [];
    const allowed = (list: readonly string[]) => list.includes(object.service);
    if (!allowed(allow.privileged)) {
      for (const c of object.containers.filter((c) => c.privileged)) {
        found.push(violation('hostAccess', object, c, `runs privileged; list ${object.service} under gates.allow.privileged if it must`));
      }
    }
    if (object.hostPaths.length > 0 && !allowed(allow.hostPath)) {
      found.push(violation('hostAccess', object, null, `mounts hostPath volume(s) ${object.hostPaths.join(', ')}; list ${object.service} under gates.allow.hostPath if it must`));
    }
    if (object.hostNetwork && !allowed(allow.hostNetwork)) {
      found.push(violation('hostAccess', object, null, `uses the host network; list ${object.service} under gates.allow.hostNetwork if it must`));
    }
    return found;
  });
}

/**
 * The image each container of a service's own image deploys is, by ID, the one this release built and
 * tested. `resolvedIds` is what the engine reports for each reference just before applying (null when
 * it has no such image): a tag moved to another image since the build is caught here.
 */
export function checkTestedImages(objects: readonly GateObject[], built: readonly BuiltImage[], resolvedIds: Readonly<Record<string, string | null>>): GateViolation[] {
  const byRef = new Map(built.map((b) => [b.image, b]));
  return objects.flatMap((object) =>
    object.containers.flatMap((container) => {
      const own = byRef.get(container.image);
      if (!own) return [];
      const id = resolvedIds[container.image] ?? null;
      if (id === null && own.source) return [violation('testedImages', object, container, `image ${container.image} is not in its registry, so it is not the digest pushed from the built image ${own.imageId}`)];
      if (id === null) return [violation('testedImages', object, container, `image ${container.image} cannot be found to compare with the built image ${own.imageId}`)];
      if (id !== own.imageId) return [violation('testedImages', object, container, `image ${container.image} is now ${id}, not the built and tested ${own.imageId}`)];
      if (!own.tested) return [violation('testedImages', object, container, `image ${container.image} (${own.imageId}) did not pass its tests in this release`)];
      return [];
    }),
  );
}

export interface GateInput {
  objects: readonly GateObject[];
  built: readonly BuiltImage[];
  resolvedIds: Readonly<Record<string, string | null>>;
}

/** Every gate, in a fixed order; a switched-off gate is reported with `enabled: false` and no violations. */
export function runGates(input: GateInput, settings: GatesConfig): GateReport {
  const checks: Record<GateName, () => GateViolation[]> = {
    immutableImages: () => checkImmutableImages(input.objects, input.built),
    resources: () => checkResources(input.objects),
    hostAccess: () => checkHostAccess(input.objects, settings.allow),
    testedImages: () => checkTestedImages(input.objects, input.built, input.resolvedIds),
  };
  const results = (Object.keys(checks) as GateName[]).map((gate): GateResult => {
    const enabled = settings[gate];
    return { gate, enabled, violations: enabled ? checks[gate]() : [] };
  });
  return { ok: results.every((r) => r.violations.length === 0), results };
}
