// The recorder guard: the first write the store refuses stops every later effect (the step throws
// the store's error without running it), while an effect's own failure is recorded as usual and
// stops nothing; bookkeeping writes after a refusal are skipped instead of thrown.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { guardRecorder } from '../../../../electron/core/release/guarded-recorder.js';
import { FakeRecorder } from '../../../fakes/release-run.js';

const full = new ConvoyError('STORE_FULL', 'the disk is full');

/** A FakeRecorder whose writes throw STORE_FULL once `full` is set. */
class FillingRecorder extends FakeRecorder {
  isFull = false;
  override stage(name: string, environment: string | null) {
    if (this.isFull) throw full;
    const inner = super.stage(name, environment);
    return {
      ...inner,
      step: <T>(spec: { kind: string; target: string }, effect: () => Promise<T>) => {
        if (this.isFull) return Promise.reject(full);
        return inner.step(spec, effect);
      },
    };
  }
  override event(name: string, payload: unknown) {
    if (this.isFull) throw full;
    super.event(name, payload);
  }
  override end(report: ReleaseReport) {
    if (this.isFull) throw full;
    super.end(report);
  }
}

/** A FakeRecorder whose steps are refused with `undefined` (a store that throws no error object). */
class UndefinedRefusal extends FakeRecorder {
  refuse = true;
  override stage(name: string, environment: string | null) {
    const inner = super.stage(name, environment);
    return {
      ...inner,
      step: <T>(spec: { kind: string; target: string }, effect: () => Promise<T>) => {
        if (this.refuse) return Promise.reject(undefined);
        return inner.step(spec, effect);
      },
    };
  }
}

const spec = (target: string) => ({ kind: 'target.apply', target, detail: null });

describe('guardRecorder', () => {
  it('an effect that fails is not a store failure: later steps still run', async () => {
    const inner = new FillingRecorder();
    const { recorder, state } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    await expect(journal.step(spec('local/a'), async () => Promise.reject(new ConvoyError('HEALTH_FAILED', 'a is not healthy')))).rejects.toMatchObject({ code: 'HEALTH_FAILED' });
    expect(state.failure()).toBeNull();
    expect(await journal.step(spec('local/b'), async () => 'applied')).toBe('applied');
  });

  it('after the store refuses a write, no effect runs and every later write is skipped', async () => {
    const inner = new FillingRecorder();
    const { recorder, state } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    inner.isFull = true;
    const ran: string[] = [];
    await expect(journal.step(spec('local/a'), async () => void ran.push('a'))).rejects.toBe(full);
    expect(state.failure()).toBe(full);
    inner.isFull = false; // even if a later write would fit, the release has stopped
    await expect(journal.step(spec('local/b'), async () => void ran.push('b'))).rejects.toBe(full);
    await expect(recorder.stage('rollback', 'local').step(spec('local/a'), async () => void ran.push('rollback a'))).rejects.toBe(full);
    expect(ran).toEqual([]);
    recorder.event('release.stageStarted', { releaseId: 'r', stage: 'rollback', environment: 'local' });
    expect(inner.events).toEqual([]);
  });

  it('a refused event or stage write stops the next step; a refused end is kept, not thrown', async () => {
    const inner = new FillingRecorder();
    const { recorder, state } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    inner.isFull = true;
    expect(() => recorder.event('release.stageStarted', { releaseId: 'r', stage: 'waves', environment: 'local' })).not.toThrow();
    expect(state.failure()).toBe(full);
    const ran: string[] = [];
    await expect(journal.step(spec('local/a'), async () => void ran.push('a'))).rejects.toBe(full);
    expect(ran).toEqual([]);
    expect(() => recorder.end({} as ReleaseReport)).not.toThrow();
  });

  it('after a refusal, later steps and stages are not even journaled, while the store has room again', async () => {
    const inner = new FillingRecorder();
    const { recorder } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    inner.isFull = true;
    recorder.event('release.stageStarted', { releaseId: 'r', stage: 'waves', environment: 'local' });
    inner.isFull = false;
    await expect(journal.step(spec('local/b'), async () => 'applied')).rejects.toBe(full);
    const rollback = recorder.stage('rollback', 'local');
    expect(() => rollback.buildRecorder()).toThrow(full);
    expect(inner.steps).toEqual([]);
    expect(inner.stages.map((stage) => stage.name)).toEqual(['waves']);
  });

  it('a stage write the store refuses gives a journal whose steps throw the store error', async () => {
    const inner = new FillingRecorder();
    const { recorder, state } = guardRecorder(inner);
    inner.isFull = true;
    const journal = recorder.stage('waves', 'local');
    expect(state.failure()).toBe(full);
    const ran: string[] = [];
    await expect(journal.step(spec('local/a'), async () => void ran.push('a'))).rejects.toBe(full);
    expect(ran).toEqual([]);
  });

  it('a step already past its intent write when another write is refused does not start its effect', async () => {
    const inner = new FillingRecorder();
    let intentWritten!: () => void;
    const slowIntent = new Promise<void>((resolve) => (intentWritten = resolve));
    const slow = {
      ...inner,
      stage: (name: string, environment: string | null) => ({
        ...inner.stage(name, environment),
        step: async <T>(_spec: unknown, effect: () => Promise<T>) => {
          await slowIntent;
          return effect();
        },
      }),
      event: (name: string, payload: unknown) => inner.event(name, payload),
      begin: () => {},
      end: () => {},
    };
    const { recorder, state } = guardRecorder(slow as unknown as FillingRecorder);
    const ran: string[] = [];
    const step = recorder.stage('waves', 'local').step(spec('local/a'), async () => void ran.push('a'));
    inner.isFull = true;
    recorder.event('release.stageStarted', { releaseId: 'r', stage: 'waves', environment: 'local' });
    intentWritten();
    await expect(step).rejects.toBe(full);
    expect(ran).toEqual([]);
    expect(state.failure()).toBe(full);
  });

  it('an effect that fails and then cannot have its outcome written is a store failure', async () => {
    const inner = new FillingRecorder();
    const failing = {
      ...inner,
      stage: (name: string, environment: string | null) => ({
        ...inner.stage(name, environment),
        step: async <T>(_spec: unknown, effect: () => Promise<T>) => {
          await effect().catch(() => undefined);
          throw full; // the outcome row after the failed effect
        },
      }),
      event: () => {},
      begin: () => {},
      end: () => {},
    };
    const { recorder, state } = guardRecorder(failing as unknown as FillingRecorder);
    const journal = recorder.stage('waves', 'local');
    await expect(journal.step(spec('local/a'), async () => Promise.reject(new ConvoyError('HEALTH_FAILED', 'a is not healthy')))).rejects.toBe(full);
    expect(state.failure()).toBe(full);
  });

  it('passes stage ends, build recorders, checkpoints and begin through to the store', () => {
    const checkpoints: ReleaseReport[] = [];
    const inner = Object.assign(new FillingRecorder(), { checkpoint: (report: ReleaseReport) => void checkpoints.push(report) });
    const { recorder } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    expect(journal.buildRecorder().journal.runId).toBe('fake');
    journal.finish('succeeded');
    expect(inner.stages).toEqual([{ name: 'waves', environment: 'local', state: 'succeeded' }]);
    const report = { id: 'r' } as ReleaseReport;
    recorder.checkpoint(report);
    recorder.begin(report as never);
    recorder.end(report as never);
    expect(checkpoints).toEqual([report]);
    expect(inner.begun).toBe(report);
    expect(inner.ended).toBe(report);
  });

  it('a checkpoint after a refusal is skipped, and a refused checkpoint is kept, not thrown', () => {
    const inner = Object.assign(new FillingRecorder(), {
      checkpoint(this: FillingRecorder, report: ReleaseReport) {
        void report;
        if (this.isFull) throw full;
      },
    });
    const { recorder, state } = guardRecorder(inner);
    inner.isFull = true;
    expect(() => recorder.checkpoint({} as ReleaseReport)).not.toThrow();
    expect(state.failure()).toBe(full);
  });

  it('a store that refuses a step with undefined (no error object) still stops every later effect', async () => {
    const inner = new UndefinedRefusal();
    const { recorder } = guardRecorder(inner);
    const journal = recorder.stage('waves', 'local');
    await expect(journal.step(spec('local/a'), async () => 'a')).rejects.toBeUndefined();
    inner.refuse = false;
    const ran: string[] = [];
    await expect(journal.step(spec('local/b'), async () => void ran.push('b'))).rejects.toBeUndefined();
    expect(ran).toEqual([]);
  });
});
