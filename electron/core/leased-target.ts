// Every change to an environment holds its lease (electron/core/lease.ts): this wraps any deploy target
// so that apply, rollback and remove run under the lease — for the change's run (options.runId, else the
// release of the units), or an ad-hoc id for a change made outside any run. A service or the release
// engine that already holds the lease for its run passes that run id, so the nested hold just runs.
// Reads (diff, status, revisions, waitReady) change nothing and take no lease.
import type { LeaseKeeper } from './lease.js';
import type { DeployTargetPort } from './ports/deploy-target.js';

export function leasedTarget(target: DeployTargetPort, leases: LeaseKeeper): DeployTargetPort {
  const environment = target.environment;
  return {
    kind: target.kind,
    environment,
    diff: (units, options) => target.diff(units, options),
    apply: (units, options) => leases.hold(environment, options?.runId ?? units[0]?.releaseId ?? leases.adHocRunId(), () => target.apply(units, options)),
    waitReady: (units, options) => target.waitReady(units, options),
    status: (services, options) => target.status(services, options),
    revisions: (service, options) => target.revisions(service, options),
    rollback: (service, toRevision, options) => leases.hold(environment, options?.runId ?? leases.adHocRunId(), () => target.rollback(service, toRevision, options)),
    remove: (service, options) => leases.hold(environment, options?.runId ?? leases.adHocRunId(), () => target.remove(service, options)),
    ...(target.objects ? { objects: target.objects.bind(target) } : {}),
    ...(target.close ? { close: () => target.close!() } : {}),
  };
}
