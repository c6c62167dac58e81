// Test-only kill points for the crash test (issue 13): with CONVOY_TEST_CRASH_AT=<point>#<n> set, the
// process SIGKILLs itself right after the n-th store write matching <point> has committed, so a test
// can stop a real `convoy release` deterministically anywhere — between an intent row and its result
// row included — instead of guessing with timers. Ignored unless the variable is set. Points:
//   intent:<step kind>[@<target>]   after a journal intent row (e.g. intent:target.apply@local/orders-api)
//   result:<step kind>[@<target>]   after its result row
//   stage:<stage row name>          after a stage row is started (e.g. stage:local:waves)
//   stage-end:<stage row name>      after it is finished
//   event:<event name>              after an event row (e.g. event:release.report)
import type { HistoryStore } from '../../core/ports/history-store.js';

export const CRASH_ENV = 'CONVOY_TEST_CRASH_AT';

export interface CrashPoint {
  point: string;
  occurrence: number;
}

/** Parses `<point>#<n>` (n defaults to 1); null for an empty or malformed value. */
export function parseCrashPoint(value: string | undefined): CrashPoint | null {
  if (!value) return null;
  const match = /^(.+?)(?:#(\d+))?$/.exec(value.trim());
  if (!match) return null;
  const occurrence = match[2] === undefined ? 1 : Number(match[2]);
  return occurrence >= 1 ? { point: match[1]!, occurrence } : null;
}

const dieNow = () => {
  process.kill(process.pid, 'SIGKILL');
};

/** The store, dying after the chosen write; the store itself when no crash point is set. */
export function withCrashPoint<S extends HistoryStore>(store: S, value: string | undefined, die: () => void = dieNow): S {
  const crash = parseCrashPoint(value);
  if (!crash) return store;
  let seen = 0;
  const hit = (...names: string[]) => {
    if (names.includes(crash.point) && ++seen === crash.occurrence) die();
  };
  const stepOf = new Map<number, { kind: string; target: string }>();
  const stageName = new Map<string, string>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
      switch (prop) {
        case 'recordIntent':
          return (step: { kind: string; target: string }) => {
            const id = call(step) as number;
            stepOf.set(id, step);
            hit(`intent:${step.kind}`, `intent:${step.kind}@${step.target}`);
            return id;
          };
        case 'recordResult':
          return (id: number, result: unknown) => {
            const row = call(id, result);
            const step = stepOf.get(id);
            if (step) hit(`result:${step.kind}`, `result:${step.kind}@${step.target}`);
            return row;
          };
        case 'startStage':
          return (stage: { name: string }) => {
            const row = call(stage) as { id: string; name: string };
            stageName.set(row.id, row.name);
            hit(`stage:${row.name}`);
            return row;
          };
        case 'finishStage':
          return (id: string, ...rest: unknown[]) => {
            const row = call(id, ...rest);
            hit(`stage-end:${stageName.get(id) ?? ''}`);
            return row;
          };
        case 'appendEvent':
          return (runId: unknown, name: string, payload: unknown) => {
            const row = call(runId, name, payload);
            hit(`event:${name}`);
            return row;
          };
        default:
          return value.bind(target);
      }
    },
  });
}
