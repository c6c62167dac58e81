// The release engine's recorder over the history store: the release row, a stage row per stage (named
// `<environment>:<stage>` inside an environment), an intent row before every side effect and its
// result after (redacted), events, and the release's full record as a `release.report` event at the
// start and the end — history.get reads the newest one back.
import type { ReleaseReport, ReleaseState } from '../../../shared/release-report.js';
import { ReleaseReport as ReleaseReportSchema } from '../../../shared/release-report.js';
import { toErrorPayload } from '../../../shared/errors.js';
import type { EventSink } from '../../core/events.js';
import type { FinalReleaseStatus, HistoryStore, JsonValue } from '../../core/ports/history-store.js';
import type { Redactor } from '../../core/redact.js';
import type { ReleaseRecorder, StageJournal } from '../../core/release/run-ports.js';

export const REPORT_EVENT = 'release.report';

/** Every string inside a JSON value passed through the redactor. */
export function redactJson(value: JsonValue, redact: Redactor): JsonValue {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactJson(v, redact)]));
  return value;
}

export function storeStatus(state: ReleaseState): FinalReleaseStatus {
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
export function storedReport(store: Pick<HistoryStore, 'listEvents'>, releaseId: string): ReleaseReport | null {
  const events = store.listEvents(releaseId).filter((e) => e.name === REPORT_EVENT);
  const last = events.at(-1);
  if (!last) return null;
  const parsed = ReleaseReportSchema.safeParse(last.payload);
  return parsed.success ? parsed.data : null;
}

export function stageJournal(store: HistoryStore, releaseId: string, stageName: string, redact: Redactor, events: EventSink, jobId: string | null): StageJournal {
  const stage = store.startStage({ releaseId, name: stageName });
  return {
    async step(spec, effect, result) {
      const stepId = store.recordIntent({ releaseId, stageId: stage.id, kind: spec.kind, target: redact(spec.target), detail: redactJson(spec.detail, redact) });
      try {
        const value = await effect();
        store.recordResult(stepId, { ok: true, detail: result ? redactJson(result(value), redact) : null });
        return value;
      } catch (err) {
        const error = toErrorPayload(err);
        store.recordResult(stepId, { ok: false, detail: { error: { code: error.code, message: redact(error.message) } } });
        throw err;
      }
    },
    buildRecorder: () => ({
      intent: (kind, target, detail) => store.recordIntent({ releaseId, stageId: stage.id, kind, target, detail }),
      result: (stepId, ok, detail) => void store.recordResult(stepId, { ok, detail }),
      log: (project, phase, line) => events.emit('build.log', { runId: releaseId, jobId, project, phase, line }),
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
): ReleaseRecorder & { begin(report: ReleaseReport): void; end(report: ReleaseReport): void } {
  return {
    begin(report) {
      store.createRelease({ id: releaseId, kind: 'release', workspace: report.workspace, base: null, head: null, summary: `release to ${report.only ? '' : 'every environment up to '}${report.target}`, status: 'running' });
      store.appendEvent(releaseId, REPORT_EVENT, report as unknown as JsonValue);
    },
    end(report) {
      store.appendEvent(releaseId, REPORT_EVENT, report as unknown as JsonValue);
      store.finishRelease(releaseId, storeStatus(report.state));
    },
    stage: (name, environment) => stageJournal(store, releaseId, environment ? `${environment}:${name}` : name, redact, events, jobId),
    event: (name, payload) => void store.appendEvent(releaseId, name, redactJson(payload, redact)),
  };
}
