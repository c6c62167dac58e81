// The release's recorder, made to stop the release at the first write the store refuses (a full
// disk, a read-only or locked file): every side effect has an intent row before it, so once a row
// cannot be written no further effect may start. After that failure each journal step throws the
// store's error without running its effect, and stage, event and end writes are skipped.
import type { BuildStageRecorder } from '../build-stage.js';
import type { ReleaseRecorder, StageJournal } from './run-ports.js';

export interface RecordingState {
  /** The store's first refusal, or null while every write has landed. */
  failure(): unknown;
}

type EndingRecorder = ReleaseRecorder & { begin(report: never): void; end(report: never): void };

export function guardRecorder<R extends EndingRecorder>(inner: R): { recorder: R; state: RecordingState } {
  let failure: unknown = null;
  const broken = (err: unknown) => {
    failure ??= err;
  };
  /** Runs a bookkeeping write; a refusal is kept (the next step stops the release), not thrown. */
  const write = (fn: () => void) => {
    if (failure !== null) return;
    try {
      fn();
    } catch (err) {
      broken(err);
    }
  };

  const deadJournal = (): StageJournal => ({
    step: async () => {
      throw failure;
    },
    buildRecorder: (): BuildStageRecorder => {
      throw failure;
    },
    finish: () => {},
  });

  const guardJournal = (journal: StageJournal): StageJournal => ({
    async step(spec, effect, result) {
      if (failure !== null) throw failure;
      let effectError: unknown = undefined;
      let effectFailed = false;
      try {
        return await journal.step(
          spec,
          async () => {
            // checked again here: a write of another service in flight may have failed meanwhile
            if (failure !== null) throw failure;
            try {
              return await effect();
            } catch (err) {
              effectFailed = true;
              effectError = err;
              throw err;
            }
          },
          result,
        );
      } catch (err) {
        if (!(effectFailed && err === effectError)) broken(err);
        throw err;
      }
    },
    buildRecorder: () => journal.buildRecorder(),
    finish: (state) => write(() => journal.finish(state)),
  });

  const recorder = Object.create(inner) as R;
  Object.assign(recorder, {
    stage(name: Parameters<ReleaseRecorder['stage']>[0], environment: string | null): StageJournal {
      if (failure !== null) return deadJournal();
      try {
        return guardJournal(inner.stage(name, environment));
      } catch (err) {
        broken(err);
        return deadJournal();
      }
    },
    event: ((name, payload) => write(() => inner.event(name, payload))) as ReleaseRecorder['event'],
    begin: (report: never) => inner.begin(report),
    end: (report: never) => write(() => inner.end(report)),
  });
  return { recorder, state: { failure: () => failure } };
}
