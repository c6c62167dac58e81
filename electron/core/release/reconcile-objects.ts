// Reconcile per Kubernetes object (issue 13): every object a service's apply wrote or meant to write
// has its own journal rows (object-journal.ts). Each is read live and classified like a service:
// carries this release's write, or is exactly as its recorded write left it → applied (healthy when
// ready by the target's rules); as it was before
// the release (same resourceVersion, or absent as before, or carrying the release that ran before, as
// after a rollback) → not started; anything else → unknown. Pure over the steps and a reader.
import type { ObjectState, RecoveredResource } from '../../../shared/contract/recover.js';
import type { LiveObject, ObjectRef, ObjectVersion } from '../ports/deploy-target.js';
import type { JsonValue } from '../ports/json.js';
import type { StepRecord } from '../ports/run-store.js';
import { OBJECT_STEP, rec, versionFromJson } from './object-journal.js';

export interface IntendedObject {
  ref: ObjectRef;
  journal: RecoveredResource['journal'];
  before: ObjectVersion | null;
  written: ObjectVersion | null;
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

/** The objects `<environment>/<service>` (where) wrote or meant to write, from their journal rows, in intent order. */
export function intendedObjects(steps: readonly StepRecord[], where: string, service: string): IntendedObject[] {
  const out = new Map<string, IntendedObject>();
  for (const s of steps) {
    if (s.kind !== OBJECT_STEP || s.target !== where) continue;
    const d = rec(s.detail);
    const object = str(d?.object);
    const apiVersion = str(d?.apiVersion);
    const kind = str(d?.kind);
    const name = str(d?.name);
    if (!d || !object || !apiVersion || !kind || !name) continue;
    const journal = s.finishedAt === null ? 'intent-only' : s.ok ? 'applied' : 'apply-failed';
    const written = s.ok ? versionFromJson(rec(s.result)?.after) : null;
    const known = out.get(object);
    // The first intent's "before" is what ran before the release; the last row says how far it got.
    out.set(object, {
      ref: { service, apiVersion, kind, namespace: str(d.namespace), name, object },
      journal,
      before: known ? known.before : versionFromJson(d.before),
      written: written ?? known?.written ?? null,
    });
  }
  return [...out.values()];
}

export function classifyResource(releaseId: string, intended: IntendedObject, live: LiveObject | null): { state: ObjectState; why: string } {
  const now = live?.now ?? null;
  if (now === null) return { state: 'unknown', why: `could not be read${live ? `: ${live.message}` : ''}` };
  if (now.exists && now.release === releaseId) {
    return live!.ready ? { state: 'applied-healthy', why: 'carries this release and is ready' } : { state: 'applied-not-ready', why: `carries this release but is not ready: ${live!.message}` };
  }
  // An object the release does not mark (a namespace it creates) counts as applied while it is exactly as the write left it.
  const written = intended.written;
  if (intended.journal === 'applied' && written?.exists && now.exists && now.resourceVersion !== null && now.resourceVersion === written.resourceVersion) {
    return live!.ready ? { state: 'applied-healthy', why: `as this release's write left it (resourceVersion ${now.resourceVersion}) and ready` } : { state: 'applied-not-ready', why: `as this release's write left it but not ready: ${live!.message}` };
  }
  const before = intended.before;
  if (before && !before.exists && !now.exists) return { state: 'not-started', why: 'absent, as before the release' };
  if (before?.exists && now.exists && now.resourceVersion !== null && now.resourceVersion === before.resourceVersion) return { state: 'not-started', why: `unchanged since before the release (resourceVersion ${now.resourceVersion})` };
  if (before?.exists && now.exists && before.release !== null && now.release === before.release) return { state: 'not-started', why: `carries ${before.release} again, as before the release` };
  if (!now.exists) return { state: 'unknown', why: 'does not exist, though it did before the release' };
  return { state: 'unknown', why: `changed since before the release, but not by it (carries ${now.release ?? 'no release'})` };
}

/** Reads the intended objects of one service and classifies each; a failed read makes them unknown. */
export async function reconcileResources(
  releaseId: string,
  where: string,
  intended: readonly IntendedObject[],
  read: (refs: ObjectRef[]) => Promise<LiveObject[]>,
): Promise<RecoveredResource[]> {
  if (intended.length === 0) return [];
  let live: LiveObject[] | null = null;
  let failed: string | null = null;
  try {
    live = await read(intended.map((i) => i.ref));
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
  }
  return intended.map((i) => {
    const found = live?.find((l) => l.object === i.ref.object) ?? null;
    const { state, why } = failed !== null ? { state: 'unknown' as const, why: `could not be read: ${failed}` } : classifyResource(releaseId, i, found);
    return { object: i.ref.object, journal: i.journal, before: i.before, written: i.written, live: found?.now ?? null, state, message: `${where} ${i.ref.object}: ${why}` };
  });
}
