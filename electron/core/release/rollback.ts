// Putting services back to the revision that was live before a release: used when a release fails or
// is cancelled in an environment (every service it touched there, in reverse wave order) and by
// `release.rollback` for a whole finished release. Each service is checked first — one already back
// where it was is left alone (the Docker target refuses a rollback to its current revision) — then
// rolled back through the target, waited for, and compared with what ran before. A service that did not
// run there before the release is removed (containers or objects and their history), so the environment
// is as it was.
import { toErrorPayload } from '../../../shared/errors.js';
import type { LiveRevision, RollbackEntry } from '../../../shared/release-report.js';
import type { DeployTargetPort, DeployUnit } from '../ports/deploy-target.js';
import type { Redactor } from '../redact.js';
import type { StageJournal } from './run-ports.js';

export interface RollbackItem {
  service: string;
  before: LiveRevision;
}

export interface RollbackOptions {
  target: DeployTargetPort;
  journal: StageJournal;
  /** The unit to wait for once a service runs `image` again. */
  unit(service: string, image: string): DeployUnit;
  deadlineMs: number;
  redact: Redactor;
  /** The run the rollback belongs to: a leased target's change then runs inside that run's lease. */
  runId: string;
  onEntry?: (entry: RollbackEntry) => void;
}

async function liveOf(target: DeployTargetPort, service: string): Promise<LiveRevision> {
  const [status] = await target.status([service]);
  return { revision: status?.revision ?? null, image: status?.image ?? null, state: status?.state ?? 'missing' };
}

const same = (a: LiveRevision, b: LiveRevision) => a.revision === b.revision && a.image === b.image && a.state === 'ready';

/** A service that did not run in the environment before the release is taken out of it entirely. */
async function removeOne(item: RollbackItem, options: RollbackOptions): Promise<RollbackEntry> {
  const { target, journal } = options;
  const where = `${target.environment}/${item.service}`;
  const base = { service: item.service, to: item.before };
  try {
    const result = await journal.step({ kind: 'target.remove', target: where, detail: {} }, () => target.remove(item.service, { runId: options.runId }), (r) => ({ removed: r.removed }));
    const after = await liveOf(target, item.service);
    const ok = after.state === 'missing';
    const what = result.removed.length === 0 ? 'nothing was left to remove' : `removed ${result.removed.join(', ')}`;
    return {
      ...base,
      outcome: ok ? 'removed' : 'failed',
      after,
      message: options.redact(ok ? `${where}: it did not run there before this release; ${what}` : `${where}: after removing it, it still reads as ${after.state} (${after.image ?? 'no image'})`),
    };
  } catch (err) {
    const error = toErrorPayload(err);
    const after = await liveOf(target, item.service).catch(() => null);
    return { ...base, outcome: 'failed', after, message: options.redact(`${where}: removing it (it did not run there before this release) failed: ${error.message} [${error.code}]`) };
  }
}

/** What puts a service back as it was before the release. */
export function isRestored(entry: RollbackEntry): boolean {
  return entry.outcome === 'rolled-back' || entry.outcome === 'already-there' || entry.outcome === 'removed';
}

async function rollbackOne(item: RollbackItem, options: RollbackOptions): Promise<RollbackEntry> {
  const { target, journal } = options;
  const where = `${target.environment}/${item.service}`;
  const base = { service: item.service, to: item.before };
  if (item.before.revision === null || item.before.image === null) return removeOne(item, options);
  try {
    const now = await liveOf(target, item.service);
    if (same(now, item.before)) {
      return { ...base, outcome: 'already-there', after: now, message: `${where}: revision ${item.before.revision} (${item.before.image}) is live already` };
    }
    const revision = item.before.revision;
    const image = item.before.image;
    await journal.step({ kind: 'target.rollback', target: where, detail: { from: now.revision, to: revision, image } }, () => target.rollback(item.service, revision, { runId: options.runId }), (r) => ({ from: r.from, to: r.to, current: r.current }));
    await journal.step({ kind: 'target.waitReady', target: where, detail: { image, deadlineMs: options.deadlineMs } }, () =>
      target.waitReady([options.unit(item.service, image)], { deadlineMs: options.deadlineMs }),
    () => ({ ready: true }));
    const after = await liveOf(target, item.service);
    const ok = after.image === image && after.state === 'ready';
    return {
      ...base,
      outcome: ok ? 'rolled-back' : 'failed',
      after,
      message: ok ? `${where}: back on ${image} (revision ${after.revision ?? '?'}), ready` : `${where}: after the rollback it runs ${after.image ?? 'nothing'} (${after.state}), not ${image}`,
    };
  } catch (err) {
    const error = toErrorPayload(err);
    const after = await liveOf(target, item.service).catch(() => null);
    return { ...base, outcome: 'failed', after, message: options.redact(`${where}: rollback failed: ${error.message} [${error.code}]`) };
  }
}

/** Rolls back `items` one after the other, in the order given (the caller passes reverse wave order). */
export async function rollbackServices(items: readonly RollbackItem[], options: RollbackOptions): Promise<RollbackEntry[]> {
  const entries: RollbackEntry[] = [];
  for (const item of items) {
    const entry = await rollbackOne(item, options);
    entries.push(entry);
    options.onEntry?.(entry);
  }
  return entries;
}
