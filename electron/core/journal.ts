// The journal: the one way a service or the release engine performs a side effect. `step` writes the
// intent row (committed before anything happens), runs the effect, then writes the result — or the
// error, redacted — and returns the value or rethrows. A crash between the two leaves an intent with no
// result, which is exactly what a resumed or rolled-back run needs to see.
import { toErrorPayload } from '../../shared/errors.js';
import type { JsonValue } from './ports/json.js';
import type { RunStore, StepId } from './ports/run-store.js';
import type { Redactor } from './redact.js';

/** What a step is about to do. */
export interface StepSpec {
  /** e.g. 'docker.build', 'target.rollback', 'k8s.apply'. */
  kind: string;
  /** What it acts on, e.g. a project or `staging/catalog-api`. */
  target: string;
  detail: JsonValue;
}

/** How an effect that returned reads in the journal; a failing test, say, is a result with ok: false. */
export interface StepOutcome {
  ok: boolean;
  detail: JsonValue;
}

export interface Journal {
  readonly runId: string;
  readonly stageId: string | null;
  /** Writes the intent, runs the effect, writes the result or the redacted error; returns or rethrows. */
  step<T>(intent: StepSpec, effect: (stepId: StepId) => Promise<T>, outcome?: (value: T) => StepOutcome): Promise<T>;
}

export interface JournalOptions {
  store: Pick<RunStore, 'recordIntent' | 'recordResult'>;
  runId: string;
  stageId?: string | null;
  redact: Redactor;
}

/** Every string inside a JSON value passed through the redactor. */
export function redactJson(value: JsonValue, redact: Redactor): JsonValue {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactJson(item, redact)]));
  }
  return value;
}

const succeeded = (): StepOutcome => ({ ok: true, detail: null });

export function createJournal(options: JournalOptions): Journal {
  const { store, runId, redact } = options;
  const stageId = options.stageId ?? null;
  return {
    runId,
    stageId,
    async step<T>(intent: StepSpec, effect: (stepId: StepId) => Promise<T>, outcome: (value: T) => StepOutcome = succeeded): Promise<T> {
      const stepId = store.recordIntent({ runId, stageId, kind: intent.kind, target: redact(intent.target), detail: redactJson(intent.detail, redact) });
      let value: T;
      try {
        value = await effect(stepId);
      } catch (err) {
        const error = toErrorPayload(err);
        store.recordResult(stepId, { ok: false, detail: { error: { code: error.code, message: redact(error.message) } } });
        throw err;
      }
      const result = outcome(value);
      store.recordResult(stepId, { ok: result.ok, detail: redactJson(result.detail, redact) });
      return value;
    },
  };
}
