// The live record of one release: the engine changes it through these few methods, each of which
// hands a fresh copy to `onUpdate` (the console's timeline, the CLI's live view) — so what a client
// sees is always what history will keep. Stage times come from the engine's clock.
import type { ErrorPayload } from '../../../shared/errors.js';
import type { ReleaseReport, StageName, StageReport, StageState } from '../../../shared/release-report.js';
import type { Redactor } from '../redact.js';
import type { RunEventName, RunEventPayload } from '../../../shared/runs.js';
import type { Clock, ReleaseRecorder, StageJournal } from './run-ports.js';

export interface TrackedStage {
  journal: StageJournal;
  finish(state: Exclude<StageState, 'running'>, message?: string | null): void;
}

export class ReleaseTracker {
  constructor(
    readonly report: ReleaseReport,
    private readonly clock: Clock,
    private readonly recorder: ReleaseRecorder,
    private readonly redact: Redactor,
    private readonly onUpdate: (report: ReleaseReport) => void = () => {},
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  ms(): number {
    return this.clock.now().getTime();
  }

  /** Publishes the record as it is now. */
  changed(): void {
    this.onUpdate(structuredClone(this.report));
  }

  /**
   * Stores the record as it is now, then publishes it: for a state another process acts on (a release
   * waiting for approval can be approved from anywhere that reads the store).
   */
  saved(): void {
    this.recorder.checkpoint?.(structuredClone(this.report));
    this.changed();
  }

  stage(name: StageName, environment: string | null): TrackedStage {
    const entry: StageReport = { name, environment, state: 'running', startedAt: this.now(), finishedAt: null, durationMs: null, message: null };
    this.report.stages.push(entry);
    const journal = this.recorder.stage(name, environment);
    this.recorder.event('release.stageStarted', { releaseId: this.report.id, stage: name, environment });
    this.recorder.checkpoint?.(structuredClone(this.report));
    this.changed();
    return {
      journal,
      finish: (state, message = null) => {
        const finishedAt = this.clock.now();
        entry.state = state;
        entry.finishedAt = finishedAt.toISOString();
        entry.durationMs = Math.max(0, finishedAt.getTime() - Date.parse(entry.startedAt));
        entry.message = message === null ? null : this.redact(message);
        journal.finish(state);
        this.recorder.event('release.stageFinished', { releaseId: this.report.id, stage: name, environment, state, message: entry.message });
        this.recorder.checkpoint?.(structuredClone(this.report));
        this.changed();
      },
    };
  }

  /** A run event beside the record (push progress, retries), as the recorder stores it. */
  event<K extends Extract<RunEventName, `release.${string}`>>(name: K, payload: RunEventPayload<K>): void {
    this.recorder.event(name, payload);
  }

  /** An error as the record keeps it: its code and its redacted message. */
  error(error: ErrorPayload): ErrorPayload {
    return { code: error.code, message: this.redact(error.message) };
  }
}
