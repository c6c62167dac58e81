// release.approve / release.reject / release.cancel for a release that runs in another process (a
// terminal's `convoy release`, another console): the decision is written to the store as a
// `release.decision` event, which the waiting process reads (LiveReleases polls while it waits) and acts
// on; refused with RELEASE_NOT_WAITING unless the store says the release is running and waits for
// approval there. A cancel is a `release.cancelRequested` event the running process reads the same way.
import { ConvoyError } from '../../../shared/errors.js';
import type { HistoryStore } from '../../core/ports/history-store.js';
import type { ApprovalDecision } from '../../core/release/run-ports.js';
import { storedReport } from './store-recorder.js';

const FINAL = new Set(['succeeded', 'failed', 'rolled-back', 'cancelled', 'rejected']);

export function decideInStore(
  store: Pick<HistoryStore, 'getRun' | 'listEvents' | 'appendEvent'>,
  request: { releaseId: string; decision: ApprovalDecision['decision']; by: string; environment?: string; comment?: string },
  now: () => Date = () => new Date(),
): { environment: string } {
  const { releaseId, environment } = request;
  const run = store.getRun(releaseId);
  if (!run || run.kind !== 'release') throw new ConvoyError('NOT_FOUND', `No release ${releaseId} in history`);
  const where = environment ? ` in ${environment}` : '';
  const report = storedReport(store, releaseId);
  if (run.status !== 'running') {
    // The record's own word where there is one (a rejected release's run is stored as cancelled).
    const state = report && FINAL.has(report.state) ? report.state : run.status.replace('_', ' ');
    throw new ConvoyError('RELEASE_NOT_WAITING', `Release ${releaseId} is ${state}, so it does not wait for approval${where}`);
  }
  const waiting = report?.environments.find((e) => e.state === 'awaiting-approval' && e.approval.state === 'waiting');
  if (!waiting) throw new ConvoyError('RELEASE_NOT_WAITING', `Release ${releaseId} is running but not waiting for approval${where} now`);
  if (environment !== undefined && waiting.name !== environment) {
    throw new ConvoyError('RELEASE_NOT_WAITING', `Release ${releaseId} waits for approval in ${waiting.name}, not${where}`);
  }
  store.appendEvent(releaseId, 'release.decision', { environment: waiting.name, decision: request.decision, by: request.by, at: now().toISOString(), comment: request.comment ?? null });
  return { environment: waiting.name };
}

/** Asks the process running a release to cancel it; false (nothing written) when the store does not say it is running. */
export function requestCancelInStore(store: Pick<HistoryStore, 'getRun' | 'appendEvent'>, releaseId: string, by: string, now: () => Date = () => new Date()): { cancelled: boolean } {
  const run = store.getRun(releaseId);
  if (!run || run.kind !== 'release' || run.status !== 'running') return { cancelled: false };
  store.appendEvent(releaseId, 'release.cancelRequested', { by, at: now().toISOString() });
  return { cancelled: true };
}
