// A deploy target behind the redaction gate: diffs (per object and combined), status, revisions,
// apply, rollback and remove results, progress lines and error messages all pass it, so no caller (the
// release engine, target-ops, a test) can take a secret out of a target.
import type { DeployTargetPort, DeployUnit, TargetCallOptions, TargetDiff } from './ports/deploy-target.js';
import type { RedactionGate } from './redact.js';
import { credentialsIn } from './secret-shapes.js';

/** What a release's units tell the gate: the values declared secret, and the credentials in env values. */
function learn(gate: RedactionGate, units: readonly DeployUnit[]): void {
  gate.add(units.flatMap((unit) => [...(unit.secrets ?? []), ...Object.values(unit.env).flatMap(credentialsIn)]));
}

export function redactingTarget(target: DeployTargetPort, gate: RedactionGate): DeployTargetPort {
  const options = <O extends TargetCallOptions | undefined>(o: O): O => {
    if (!o?.progress) return o;
    const progress = o.progress;
    return { ...o, progress: (message: string, fraction?: number | null) => progress(gate.text(message), fraction) } as O;
  };
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return gate.value(await work());
    } catch (err) {
      // The same error (its class and code are what callers branch on), with its message redacted.
      if (err instanceof Error) err.message = gate.text(err.message);
      throw err;
    }
  };
  return {
    kind: target.kind,
    environment: target.environment,
    diff: (units, o) =>
      guarded(async () => {
        learn(gate, units);
        const diff: TargetDiff = await target.diff(units, options(o));
        const objects = diff.objects.map((object) => ({ ...object, diff: gate.text(object.diff) }));
        return { ...diff, objects, text: gate.text(diff.text) };
      }),
    apply: (units, o) => guarded(() => (learn(gate, units), target.apply(units, options(o)))),
    waitReady: (units, o) => guarded(() => (learn(gate, units), target.waitReady(units, options(o)))),
    status: (services, o) => guarded(() => target.status(services, options(o))),
    revisions: (service, o) => guarded(() => target.revisions(service, options(o))),
    rollback: (service, to, o) => guarded(() => target.rollback(service, to, options(o))),
    remove: (service, o) => guarded(() => target.remove(service, options(o))),
    ...(target.objects ? { objects: (refs: Parameters<NonNullable<DeployTargetPort['objects']>>[0], o?: TargetCallOptions) => guarded(() => target.objects!(refs, options(o))) } : {}),
    ...(target.close ? { close: () => target.close!() } : {}),
  };
}
