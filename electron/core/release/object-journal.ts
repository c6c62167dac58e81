// Per-object journal rows (issue 13): inside a service's `target.apply` step, a target that writes
// several objects per service (Kubernetes) records each one — an intent naming the object and its
// version before, the write, a result with its action and version after — through the ObjectJournal
// the release engine hands it. Resuming, an object this release wrote is not written again when it is
// verifiably untouched since: its live resourceVersion is the one the result row recorded.
import type { JsonValue } from '../ports/json.js';
import type { ObjectJournal, ObjectVersion, ObjectWrite } from '../ports/deploy-target.js';
import type { StepRecord } from '../ports/run-store.js';
import type { StageJournal } from './run-ports.js';

/** The step kind of one object's write; its target is the service's (`<environment>/<service>`). */
export const OBJECT_STEP = 'target.applyObject';

/** The key of one object of one service in the maps below. */
export const objectKey = (where: string, object: string) => `${where} ${object}`;

const versionJson = (v: ObjectVersion): JsonValue => ({ exists: v.exists, resourceVersion: v.resourceVersion, generation: v.generation, release: v.release });

export function objectJournal(journal: Pick<StageJournal, 'step'>, where: string, written?: ReadonlyMap<string, ObjectVersion>): ObjectJournal {
  return {
    done(write: ObjectWrite) {
      const recorded = written?.get(objectKey(where, write.object));
      const now = write.before;
      if (!recorded?.exists || !now.exists) return null;
      if (recorded.resourceVersion !== null && now.resourceVersion === recorded.resourceVersion) {
        return `written by this release before it was interrupted and unchanged since (resourceVersion ${recorded.resourceVersion}); not written again`;
      }
      // A workload's status moves its resourceVersion on; its spec is unchanged while its generation is, and it carries the same release.
      if (recorded.generation !== null && recorded.release !== null && now.generation === recorded.generation && now.release === recorded.release) {
        return `written by this release before it was interrupted and its spec unchanged since (generation ${recorded.generation}); not written again`;
      }
      return null;
    },
    write(write, apply) {
      const { service: _service, object, ...ref } = write;
      return journal.step(
        { kind: OBJECT_STEP, target: where, detail: { object, apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name, before: versionJson(write.before) } },
        apply,
        (r) => ({ object, action: r.action, after: versionJson(r.after) }),
      );
    },
  };
}

/** A journal row's JSON value as an object, or null when it is not one. */
export const rec = (v: JsonValue | null | undefined): Record<string, JsonValue> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);

/** A version as a journal row holds it, or null when the row does not hold one. */
export function versionFromJson(v: JsonValue | null | undefined): ObjectVersion | null {
  const r = rec(v);
  if (!r || typeof r.exists !== 'boolean') return null;
  return {
    exists: r.exists,
    resourceVersion: typeof r.resourceVersion === 'string' ? r.resourceVersion : null,
    generation: typeof r.generation === 'number' ? r.generation : null,
    release: typeof r.release === 'string' ? r.release : null,
  };
}

/** Per object, the version its last successful write left (from the journal's result rows). */
export function writtenObjects(steps: readonly StepRecord[]): Map<string, ObjectVersion> {
  const out = new Map<string, ObjectVersion>();
  for (const s of steps) {
    if (s.kind !== OBJECT_STEP || s.ok !== true) continue;
    const result = rec(s.result);
    const after = versionFromJson(result?.after);
    if (result && typeof result.object === 'string' && after) out.set(objectKey(s.target, result.object), after);
  }
  return out;
}
