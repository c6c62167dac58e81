// The release engine's recorder over the history store: the release row, a stage row per stage (named
// `<environment>:<stage>` inside an environment), an intent row before every side effect and its
// result after (redacted), events, and the release's full record as a `release.report` event at the
// start and the end — history.get reads the newest one back.
import type { ReleaseReport, ReleaseState } from '../../../shared/release-report.js';
import { ReleaseReport as ReleaseReportSchema } from '../../../shared/release-report.js';
import type { EventSink } from '../../core/events.js';
import type { HistoryStore, JsonValue } from '../../core/ports/history-store.js';
import type { EventStore } from '../../core/ports/event-store.js';
import type { FinalRunStatus } from '../../core/ports/run-store.js';
import { createJournal, redactJson } from '../../core/journal.js';
import type { Redactor } from '../../core/redact.js';
import type { ReleaseRecorder, StageJournal } from '../../core/release/run-ports.js';

export const REPORT_EVENT = 'release.report' as const;

export function storeStatus(state: ReleaseState): FinalRunStatus {
  switch (state) {
    case 'succeeded':
      return 'succeeded';
    case 'rolled-back':
      return 'rolled_back';
    case 'cancelled':
    case 'rejected':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** The newest full record the store holds for a release, or null. */
export function storedReport(store: Pick<EventStore, 'listEvents'>, releaseId: string): ReleaseReport | null {
  let last: unknown = null;
  for (const e of store.listEvents(releaseId)) if (e.name === REPORT_EVENT) last = e.payload;
  if (last === null) return null;
  const parsed = ReleaseReportSchema.safeParse(last);
  return parsed.success ? parsed.data : null;
}

export function stageJournal(store: HistoryStore, runId: string, stageName: string, redact: Redactor, events: EventSink, jobId: string | null): StageJournal {
  const stage = store.startStage({ runId, name: stageName });
  const journal = createJournal({ store, runId, stageId: stage.id, redact });
  return {
    step: (spec, effect, result) => journal.step(spec, () => effect(), (value) => ({ ok: true, detail: result ? result(value) : null })),
    buildRecorder: () => ({
      journal,
      log: (project, phase, line) => events.emit('build.log', { runId, jobId, project, phase, line }),
      layer: (project, imageId) => void store.appendEvent(runId, 'docker.layer', { project, imageId }),
    }),
    finish: (state) => void store.finishStage(stage.id, state),
  };
}

export function storeRecorder(
  store: HistoryStore,
  releaseId: string,
  redact: Redactor,
  events: EventSink,
  jobId: string | null,
  /** What release.start was asked, kept so convoy recover --resume can select the same release again. */
  input: Record<string, unknown> | null = null,
  /** Resuming an interrupted release: its run row exists already (taken on by convoy recover). */
  resuming = false,
): ReleaseRecorder & { begin(report: ReleaseReport): void; end(report: ReleaseReport): void } {
  return {
    begin(report) {
      if (!resuming) {
        store.createRun({ id: releaseId, kind: 'release', workspace: report.workspace, environment: report.target, base: null, head: null, summary: `release to ${report.only ? '' : 'every environment up to '}${report.target}`, status: 'running' });
        if (input) store.appendEvent(releaseId, 'release.input', { input: redactJson(input as JsonValue, redact) as Record<string, unknown> });
      }
      store.appendEvent(releaseId, REPORT_EVENT, report);
    },
    checkpoint: (report) => void store.appendEvent(releaseId, REPORT_EVENT, report),
    end(report) {
      store.appendEvent(releaseId, REPORT_EVENT, report);
      store.finishRun(releaseId, storeStatus(report.state));
    },
    stage: (name, environment) => stageJournal(store, releaseId, environment ? `${environment}:${name}` : name, redact, events, jobId),
    event: (name, payload) => void store.appendEvent(releaseId, name, redactJson(payload as JsonValue, redact) as typeof payload),
  };
}
