// An in-memory store: every store port (runs and their journal, events, leases, passed tests) with the SQLite store's
// rules — unknown runs and stages refused, one result per step, events checked against their schemas,
// newest-first listing, atomic lease swaps. For fast unit tests of services, the journal and the
// release engine; test/integration/store/store-contract.test.ts runs the same assertions against both
// stores so the two cannot drift.
import { randomUUID } from 'node:crypto';
import { ConvoyError } from '../../shared/errors.js';
import { parseRunEvent } from '../../shared/runs.js';
import type {
  AcquireResult,
  EventFilter,
  EventRecord,
  HistoryStore,
  JsonValue,
  LeaseRecord,
  LeaseRequest,
  ListRunsQuery,
  RunOwner,
  NewEvent,
  NewRun,
  NewStage,
  RunEventName,
  RunEventPayload,
  RunRecord,
  RunStatus,
  StageRecord,
  StageStatus,
  StepId,
  StepIntent,
  StepRecord,
  StepResult,
} from '../../electron/core/ports/history-store.js';
import type { PassedTest, TestRunKey } from '../../electron/core/ports/test-results.js';

const FINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled', 'interrupted']);

function fail(message: string): never {
  throw new ConvoyError('STORE_ERROR', message);
}

/** The four parts of a test's key, the environment in name order. */
function testKey(key: TestRunKey): string {
  return JSON.stringify([key.imageId, key.command, Object.entries(key.env).sort(([a], [b]) => a.localeCompare(b)), key.timeoutMs]);
}

/** A deep copy through JSON, as a row written and read back would be. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

export interface MemoryStoreOptions {
  now?: () => Date;
  /** The owner of every run created without one (as the SQLite store's `owner` option). */
  owner?: RunOwner;
}

export class MemoryStore implements HistoryStore {
  private readonly runs: RunRecord[] = [];
  private readonly stages: StageRecord[] = [];
  private readonly steps: StepRecord[] = [];
  private readonly events: EventRecord[] = [];
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly passedTests = new Map<string, PassedTest>();
  private closed = false;
  private readonly now: () => Date;
  private readonly owner: RunOwner | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.owner = options.owner;
  }

  createRun(run: NewRun): RunRecord {
    this.open();
    if (this.runs.some((r) => r.id === run.id)) fail(`A run with id "${run.id}" already exists.`);
    const record: RunRecord = {
      id: run.id,
      kind: run.kind,
      workspace: run.workspace,
      environment: run.environment ?? null,
      base: run.base ?? null,
      head: run.head ?? null,
      status: run.status ?? 'planned',
      createdAt: this.iso(),
      finishedAt: null,
      summary: run.summary ?? null,
      ...((run.owner ?? this.owner) ? { owner: { ...(run.owner ?? this.owner)! } } : {}),
    };
    this.runs.push(record);
    return { ...record };
  }

  finishRun(id: string, status: RunStatus, at?: string): RunRecord {
    this.open();
    const run = this.runs.find((r) => r.id === id) ?? fail(`No run with id "${id}".`);
    const finishedAt = FINAL.has(status) ? this.iso(at) : null;
    run.status = status;
    run.finishedAt = finishedAt;
    return { ...run };
  }

  getRun(id: string): RunRecord | null {
    this.open();
    const run = this.runs.find((r) => r.id === id);
    return run ? { ...run } : null;
  }

  listRuns(query: ListRunsQuery): RunRecord[] {
    this.open();
    const before = query.before === undefined ? null : this.iso(query.before);
    return this.runs
      .map((run, index) => ({ run, index }))
      .filter(({ run }) => (before === null || run.createdAt < before) && (query.kind === undefined || run.kind === query.kind))
      .sort((a, b) => (a.run.createdAt === b.run.createdAt ? b.index - a.index : a.run.createdAt < b.run.createdAt ? 1 : -1))
      .slice(0, Math.max(0, Math.floor(query.limit)))
      .map(({ run }) => ({ ...run }));
  }

  listUnfinishedRuns(): RunRecord[] {
    this.open();
    return this.runs.filter((r) => r.status === 'planned' || r.status === 'running').map((r) => copy(r));
  }

  interruptRun(id: string): boolean {
    this.open();
    const run = this.runs.find((r) => r.id === id);
    if (!run || (run.status !== 'planned' && run.status !== 'running')) return false;
    run.status = 'interrupted';
    run.finishedAt = this.iso();
    return true;
  }

  resumeRun(id: string, owner: RunOwner): boolean {
    this.open();
    const run = this.runs.find((r) => r.id === id);
    if (!run || run.status !== 'interrupted') return false;
    Object.assign(run, { status: 'running', finishedAt: null, owner: { ...owner } });
    return true;
  }

  startStage(stage: NewStage): StageRecord {
    this.open();
    this.requireRun(stage.runId, `stage "${stage.name}" of run "${stage.runId}"`);
    const id = stage.id ?? randomUUID();
    if (this.stages.some((s) => s.id === id)) fail(`Cannot record stage "${stage.name}": a stage with id "${id}" exists.`);
    const record: StageRecord = { id, runId: stage.runId, name: stage.name, status: 'running', startedAt: this.iso(), finishedAt: null };
    this.stages.push(record);
    return { ...record };
  }

  finishStage(id: string, status: Exclude<StageStatus, 'running'>, at?: string): StageRecord {
    this.open();
    const stage = this.stages.find((s) => s.id === id) ?? fail(`No stage with id "${id}".`);
    if (stage.status !== 'running') fail(`Stage "${id}" already finished (${stage.status}).`);
    stage.status = status;
    stage.finishedAt = this.iso(at);
    return { ...stage };
  }

  listStages(runId: string): StageRecord[] {
    this.open();
    return this.stages
      .map((stage, index) => ({ stage, index }))
      .filter(({ stage }) => stage.runId === runId)
      .sort((a, b) => (a.stage.startedAt === b.stage.startedAt ? a.index - b.index : a.stage.startedAt < b.stage.startedAt ? -1 : 1))
      .map(({ stage }) => ({ ...stage }));
  }

  recordIntent(step: StepIntent): StepId {
    this.open();
    const what = `step ${step.kind} → ${step.target}`;
    this.requireRun(step.runId, what);
    if (step.stageId != null && !this.stages.some((s) => s.id === step.stageId)) fail(`Cannot record ${what}: the run or stage it refers to does not exist.`);
    const id = this.steps.length + 1;
    this.steps.push({ id, runId: step.runId, stageId: step.stageId ?? null, kind: step.kind, target: step.target, detail: copy(step.detail), startedAt: this.iso(), finishedAt: null, ok: null, result: null });
    return id;
  }

  recordResult(stepId: StepId, result: StepResult): StepRecord {
    this.open();
    const step = this.steps.find((s) => s.id === stepId) ?? fail(`No step with id ${stepId}.`);
    if (step.finishedAt !== null) fail(`Step ${stepId} already has a result (recorded ${step.finishedAt}).`);
    step.finishedAt = this.iso();
    step.ok = result.ok;
    step.result = copy(result.detail);
    return copy(step);
  }

  listSteps(runId: string): StepRecord[] {
    this.open();
    return this.steps.filter((s) => s.runId === runId).map((s) => copy(s));
  }

  appendEvent<K extends RunEventName>(runId: string | null, name: K, payload: RunEventPayload<K>): EventRecord {
    this.open();
    const record = this.check({ runId, name, payload } as NewEvent, this.iso(), this.events.length + 1);
    this.events.push(record);
    return copy(record);
  }

  appendEvents(entries: ReadonlyArray<NewEvent>): void {
    this.open();
    const at = this.iso();
    // All of them or none: check every entry before keeping any.
    const records = entries.map((entry, i) => this.check(entry, at, this.events.length + 1 + i));
    this.events.push(...records);
  }

  listEvents(runId: string | null, filter: EventFilter = {}): EventRecord[] {
    this.open();
    return this.events
      .filter((e) => e.runId === runId && (filter.name === undefined || e.name === filter.name) && (filter.afterId === undefined || e.id > filter.afterId))
      .map((e) => copy(e));
  }

  acquireLease(request: LeaseRequest, isGone: (holder: LeaseRecord) => boolean): AcquireResult {
    this.open();
    const holder = this.leases.get(request.environment) ?? null;
    if (holder && !isGone({ ...holder })) return { acquired: false, holder: { ...holder } };
    const at = this.iso();
    const lease: LeaseRecord = { ...request, processStartedAt: request.processStartedAt ?? null, startedAt: at, heartbeatAt: at };
    this.leases.set(request.environment, lease);
    return { acquired: true, lease: { ...lease }, reclaimed: holder ? { ...holder } : null };
  }

  heartbeatLease(environment: string, runId: string): boolean {
    this.open();
    const lease = this.leases.get(environment);
    if (!lease || lease.runId !== runId) return false;
    lease.heartbeatAt = this.iso();
    return true;
  }

  releaseLease(environment: string, runId: string): boolean {
    this.open();
    const lease = this.leases.get(environment);
    if (!lease || lease.runId !== runId) return false;
    this.leases.delete(environment);
    return true;
  }

  getLease(environment: string): LeaseRecord | null {
    this.open();
    const lease = this.leases.get(environment);
    return lease ? { ...lease } : null;
  }

  listLeases(): LeaseRecord[] {
    this.open();
    return [...this.leases.values()].sort((a, b) => a.environment.localeCompare(b.environment)).map((l) => ({ ...l }));
  }

  findPassedTest(key: TestRunKey): PassedTest | null {
    this.open();
    const passed = this.passedTests.get(testKey(key));
    return passed ? { ...passed } : null;
  }

  recordTestOutcome(key: TestRunKey, outcome: { passed: boolean; runId: string }): void {
    this.open();
    if (outcome.passed) this.passedTests.set(testKey(key), { runId: outcome.runId, passedAt: this.iso() });
    else this.passedTests.delete(testKey(key));
  }

  schemaVersion(): number {
    this.open();
    return 0;
  }

  close(): void {
    this.closed = true;
  }

  private check(entry: NewEvent, at: string, id: number): EventRecord {
    let payload: unknown;
    try {
      payload = parseRunEvent(entry.name, entry.payload);
    } catch (err) {
      fail(`Cannot record an event: ${err instanceof Error ? err.message : String(err)}.`);
    }
    if (entry.runId !== null) this.requireRun(entry.runId, `event ${entry.name}`);
    return { id, runId: entry.runId, name: entry.name, payload: copy(payload as JsonValue), at } as EventRecord;
  }

  private requireRun(runId: string, what: string): void {
    if (!this.runs.some((r) => r.id === runId)) fail(`Cannot record ${what}: the run or stage it refers to does not exist.`);
  }

  private open(): void {
    if (this.closed) fail('The history store (in memory) is closed.');
  }

  private iso(value?: string): string {
    if (value === undefined) return this.now().toISOString();
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) fail(`"${value}" is not a valid timestamp.`);
    return date.toISOString();
  }
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}
