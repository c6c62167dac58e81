// In-memory stand-ins for what the release engine needs besides targets and builders
// (electron/core/release/run-ports.ts): a recorder that keeps stages, journal steps and events, a
// refusing per-environment lock, a scripted approver and a clock that moves one second per reading.
import { ConvoyError } from '../../shared/errors.js';
import type { JsonValue } from '../../electron/core/ports/json.js';
import type { ReleaseReport } from '../../shared/release-report.js';
import type { ApprovalDecision, ApprovalRequest, Approver, Clock, EnvironmentLock, ReleaseRecorder } from '../../electron/core/release/run-ports.js';

export interface FakeStep {
  stage: string;
  environment: string | null;
  kind: string;
  target: string;
  ok: boolean | null;
  /** What the step's intent row names, and what its result row records (absent until it succeeds). */
  detail?: JsonValue;
  result?: JsonValue;
}

export class FakeRecorder implements ReleaseRecorder {
  readonly stages: Array<{ name: string; environment: string | null; state: string }> = [];
  readonly steps: FakeStep[] = [];
  readonly events: Array<{ name: string; payload: JsonValue }> = [];
  begun: ReleaseReport | null = null;
  ended: ReleaseReport | null = null;
  /** Every record stored between begin and end (what another process reading the store would see). */
  readonly checkpoints: ReleaseReport[] = [];

  checkpoint(report: ReleaseReport): void {
    this.checkpoints.push(report);
  }

  begin(report: ReleaseReport): void {
    this.begun = report;
  }

  end(report: ReleaseReport): void {
    this.ended = report;
  }

  stage(name: string, environment: string | null) {
    const entry = { name, environment, state: 'running' };
    this.stages.push(entry);
    const steps = this.steps;
    return {
      async step<T>(spec: { kind: string; target: string; detail?: JsonValue }, effect: () => Promise<T>, result?: (value: T) => JsonValue): Promise<T> {
        const step: FakeStep = { stage: name, environment, kind: spec.kind, target: spec.target, ok: null, detail: spec.detail };
        steps.push(step);
        try {
          const value = await effect();
          step.ok = true;
          step.result = result ? result(value) : null;
          return value;
        } catch (err) {
          step.ok = false;
          throw err;
        }
      },
      buildRecorder: () => ({ journal: { runId: 'fake', stageId: null, step: <T>(_spec: unknown, effect: (stepId: number) => Promise<T>) => effect(0) }, log: () => {} }),
      finish: (state: string) => void (entry.state = state),
    };
  }

  event(name: string, payload: unknown): void {
    this.events.push({ name, payload: payload as JsonValue });
  }
}

/** Refuses a second holder of an environment, naming the release that has it. */
export class FakeLock implements EnvironmentLock {
  readonly holders = new Map<string, string>();

  async hold<T>(environment: string, releaseId: string, work: () => Promise<T>): Promise<T> {
    const holder = this.holders.get(environment);
    if (holder !== undefined) throw new ConvoyError('ENVIRONMENT_BUSY', `Environment "${environment}" is busy: release ${holder} is running there`);
    this.holders.set(environment, releaseId);
    try {
      return await work();
    } finally {
      this.holders.delete(environment);
    }
  }
}

/** Answers each request with `answer`, or holds it until `decide` is called. */
export class FakeApprover implements Approver {
  readonly requests: ApprovalRequest[] = [];
  private pending: Array<{ resolve: (d: ApprovalDecision) => void; request: ApprovalRequest }> = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly answer: ApprovalDecision | 'hold' = { decision: 'approved', by: 'alice', at: '2026-01-01T00:00:00.000Z', comment: null }) {}

  request(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.requests.push(request);
    if (this.answer !== 'hold') return Promise.resolve(this.answer);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, request });
      request.signal.addEventListener('abort', () => reject(new ConvoyError('CANCELLED', `approval for ${request.environment} was cancelled`)), { once: true });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves when a request is waiting. */
  async waiting(): Promise<ApprovalRequest> {
    while (this.pending.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.pending[0]!.request;
  }

  decide(decision: ApprovalDecision): void {
    this.pending.shift()?.resolve(decision);
  }
}

export function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z')): Clock {
  let t = start;
  return { now: () => new Date((t += 1000)) };
}
