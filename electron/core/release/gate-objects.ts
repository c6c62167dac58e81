// Turns what a target is about to apply into GateObjects (electron/core/release/gates.ts): Kubernetes
// objects as rendered (after Convoy's image substitution) and Docker target units. Pure; plain JSON in.
import type { DeployUnit } from '../ports/deploy-target.js';
import type { GateContainer, GateObject } from './gates.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** The pod spec of a workload or Pod; null for kinds that run no containers. */
function podSpec(object: Json): Json | null {
  const spec = object.spec;
  if (!isRecord(spec)) return null;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') {
    const job = isRecord(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
    const template = isRecord(job) ? job.template : undefined;
    return isRecord(template) && isRecord(template.spec) ? template.spec : null;
  }
  return isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : null;
}

function container(c: Json): GateContainer {
  const resources = isRecord(c.resources) ? c.resources : {};
  const security = isRecord(c.securityContext) ? c.securityContext : {};
  return {
    name: typeof c.name === 'string' ? c.name : '(unnamed)',
    image: typeof c.image === 'string' ? c.image : '',
    privileged: security.privileged === true,
    resources: { requests: isRecord(resources.requests) ? resources.requests : {}, limits: isRecord(resources.limits) ? resources.limits : {} },
  };
}

/** A rendered Kubernetes object; null when it runs no containers (a Service, a ConfigMap…). */
export function gateObjectFromKube(service: string, object: Json): GateObject | null {
  const pod = podSpec(object);
  if (!pod) return null;
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return {
    service,
    object: `${String(object.kind)} ${ns}${String(meta.name ?? '(unnamed)')}`,
    containers: [...records(pod.initContainers), ...records(pod.containers), ...records(pod.ephemeralContainers)].map(container),
    hostNetwork: pod.hostNetwork === true,
    hostPaths: records(pod.volumes)
      .filter((v) => isRecord(v.hostPath))
      .map((v) => String(v.name ?? '(unnamed)')),
  };
}

/**
 * A Docker target unit: one container `convoy-<env>-<service>` running the unit's image. The target
 * never runs privileged, mounts host paths or uses the host network, and sets no resource limits, so
 * only the image rules have anything to check here.
 */
export function gateObjectFromDockerUnit(environment: string, unit: DeployUnit): GateObject {
  const name = `convoy-${environment}-${unit.service}`;
  return {
    service: unit.service,
    object: `container ${name}`,
    containers: [{ name, image: unit.image, privileged: false, resources: null }],
    hostNetwork: false,
    hostPaths: [],
  };
}
