// A deploy target behind the redaction gate: diffs (per object and combined), status, revisions,
// apply and rollback results, progress lines and error messages all pass it, so no caller (the
// release engine, target-ops, a test) can take a secret out of a target.
import type { DeployTargetPort, TargetCallOptions, TargetDiff } from './ports/deploy-target.js';
import type { RedactionGate } from './redact.js';

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
        const diff: TargetDiff = await target.diff(units, options(o));
        const objects = diff.objects.map((object) => ({ ...object, diff: gate.text(object.diff) }));
        return { ...diff, objects, text: gate.text(diff.text) };
      }),
    apply: (units, o) => guarded(() => target.apply(units, options(o))),
    waitReady: (units, o) => guarded(() => target.waitReady(units, options(o))),
    status: (services, o) => guarded(() => target.status(services, options(o))),
    revisions: (service, o) => guarded(() => target.revisions(service, options(o))),
    rollback: (service, to, o) => guarded(() => target.rollback(service, to, options(o))),
    ...(target.close ? { close: () => target.close!() } : {}),
  };
}
