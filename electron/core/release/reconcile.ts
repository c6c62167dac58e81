// Reconcile an interrupted release (issue 13): for every object it meant to change — each service in
// each environment of its record — read what runs there now and set it against the journal (an apply
// intent with or without its result, a rollback, a removal) and against what ran before the release.
// Pure over the record, the steps and a status reader; the classification is what `convoy recover`
// shows and what resume and rollback act on.
import type { LiveRevision, ReleaseReport } from '../../../shared/release-report.js';
import type { JournalMark, ObjectState, RecoveredObject } from '../../../shared/contract/recover.js';
import { toErrorPayload } from '../../../shared/errors.js';
import type { LiveObject, ObjectRef, ServiceStatus } from '../ports/deploy-target.js';
import type { StepRecord } from '../ports/run-store.js';
import { intendedObjects, reconcileResources } from './reconcile-objects.js';

export interface ReconcileInput {
  report: ReleaseReport;
  steps: readonly StepRecord[];
  /** What runs now in one environment; throws when the target cannot be read. */
  status(environment: string, services: string[]): Promise<ServiceStatus[]>;
  /** What these Kubernetes objects of one environment are now (per-object journal rows name them). */
  objects?(environment: string, refs: ObjectRef[]): Promise<LiveObject[]>;
}

const DEPLOY_KINDS = new Set(['target.apply', 'target.rollback', 'target.remove']);

/** The last deploy-side step for `environment/service`, read as a mark. */
export function journalMark(steps: readonly StepRecord[], where: string): JournalMark {
  const last = steps.filter((s) => s.target === where && DEPLOY_KINDS.has(s.kind)).at(-1);
  if (!last) return 'none';
  if (last.kind === 'target.apply') return last.finishedAt === null ? 'intent-only' : last.ok ? 'applied' : 'apply-failed';
  // A rollback or removal with no result may have happened: what is live decides the state.
  if (last.finishedAt === null) return 'intent-only';
  if (!last.ok) return 'apply-failed';
  return last.kind === 'target.remove' ? 'removed' : 'rolled-back';
}

/** What ran before, as the apply intent recorded it (written before anything changed). */
function beforeFromJournal(steps: readonly StepRecord[], where: string): LiveRevision | null {
  const intent = steps.find((s) => s.kind === 'target.apply' && s.target === where);
  const before = intent && typeof intent.detail === 'object' && intent.detail !== null && !Array.isArray(intent.detail) ? intent.detail.before : null;
  if (!before || typeof before !== 'object' || Array.isArray(before)) return null;
  const b = before as Record<string, unknown>;
  return { revision: typeof b.revision === 'string' ? b.revision : null, image: typeof b.image === 'string' ? b.image : null, state: (b.state as LiveRevision['state']) ?? 'missing' };
}

const sameAsBefore = (live: LiveRevision, before: LiveRevision) =>
  before.image === null ? live.state === 'missing' || live.image === null : live.image === before.image && live.state !== 'missing';

export function classify(image: string | null, before: LiveRevision | null, live: LiveRevision | null, journal: JournalMark): { state: ObjectState; why: string } {
  if (live === null) return { state: 'unknown', why: 'the target could not be read' };
  if (image !== null && live.image === image && live.state !== 'missing') {
    return live.state === 'ready' ? { state: 'applied-healthy', why: `${image} is live and ready` } : { state: 'applied-not-ready', why: `${image} is live but ${live.state}` };
  }
  if (before !== null && sameAsBefore(live, before)) {
    const undone = journal === 'rolled-back' || journal === 'removed';
    return { state: 'not-started', why: undone ? 'back as it was before the release (rolled back)' : journal === 'none' ? 'not reached' : 'as it was before the release: the apply did not take effect' };
  }
  if (journal === 'none') return { state: 'not-started', why: image === null ? 'not reached (no image built yet)' : 'not reached' };
  return { state: 'unknown', why: `runs ${live.image ?? 'nothing'} (${live.state}), neither the release's image nor what ran before` };
}

export async function reconcile(input: ReconcileInput): Promise<RecoveredObject[]> {
  const { report, steps } = input;
  const imageOf = new Map(report.images.map((i) => [i.service, i.image]));
  const objects: RecoveredObject[] = [];
  for (const env of report.environments) {
    const planned = env.services.length > 0
      ? env.services.map((s) => ({ service: s.service, wave: s.wave as number | null, image: s.image as string | null, before: s.before as LiveRevision | null }))
      : report.services.filter((s) => !env.skipped.some((k) => k.service === s)).map((service) => ({ service, wave: null, image: imageOf.get(service) ?? null, before: null }));
    if (planned.length === 0) continue;
    let live: Map<string, LiveRevision> | null = null;
    let readError: string | null = null;
    try {
      const now = await input.status(env.name, planned.map((p) => p.service));
      live = new Map(now.map((s) => [s.service, { revision: s.revision, image: s.image, state: s.state }]));
    } catch (err) {
      readError = toErrorPayload(err).message;
    }
    for (const p of planned) {
      const where = `${env.name}/${p.service}`;
      const journal = journalMark(steps, where);
      const before = p.before ?? beforeFromJournal(steps, where);
      const now = live ? (live.get(p.service) ?? { revision: null, image: null, state: 'missing' as const }) : null;
      const { state, why } = classify(p.image, before, now, journal);
      const intended = intendedObjects(steps, where, p.service);
      const read = input.objects;
      const resources = await reconcileResources(report.id, where, intended, (refs) => (read ? read(env.name, refs) : Promise.reject(new Error('the target cannot read single objects'))));
      objects.push({ environment: env.name, service: p.service, wave: p.wave, image: p.image, before, live: now, journal, state, message: `${where}: ${readError ? `${why}: ${readError}` : why}`, resources });
    }
  }
  return objects;
}
