// The journal's step(): the intent is written before the effect starts, the result after it succeeds,
// the redacted error after it fails (and the error is rethrown unchanged). Over the in-memory store.
import { describe, expect, it } from 'vitest';
import { createJournal } from '../../../electron/core/journal.js';
import { createRedactor } from '../../../electron/core/redact.js';
import { ConvoyError } from '../../../shared/errors.js';
import { createMemoryStore } from '../../fakes/store.js';

function setup() {
  const store = createMemoryStore();
  store.createRun({ id: 'run-1', kind: 'rollback', workspace: '/ws', environment: 'staging', base: null, head: null, status: 'running' });
  const stage = store.startStage({ runId: 'run-1', name: 'rollback' });
  const journal = createJournal({ store, runId: 'run-1', stageId: stage.id, redact: createRedactor(['s3cr3t-token']) });
  return { store, stage, journal };
}

describe('journal.step', () => {
  it('writes the intent before the effect starts', async () => {
    const { store, stage, journal } = setup();
    let seenAtStart: unknown[] = [];
    await journal.step({ kind: 'target.rollback', target: 'staging/api', detail: { toRevision: null } }, async (stepId) => {
      seenAtStart = store.listSteps('run-1');
      expect(seenAtStart).toMatchObject([{ id: stepId }]);
      return 'done';
    });
    expect(seenAtStart).toMatchObject([
      { runId: 'run-1', stageId: stage.id, kind: 'target.rollback', target: 'staging/api', detail: { toRevision: null }, finishedAt: null, ok: null, result: null },
    ]);
  });

  it('records a step without an outcome function as succeeded, with no detail', async () => {
    const { store, journal } = setup();
    expect(await journal.step({ kind: 'target.remove', target: 'staging/api', detail: null }, async () => 42)).toBe(42);
    const [step] = store.listSteps('run-1');
    expect(step).toMatchObject({ kind: 'target.remove', ok: true, finishedAt: expect.any(String) });
    expect(step!.result).toBeNull();
  });

  it('writes the result on success and returns the value', async () => {
    const { store, journal } = setup();
    const value = await journal.step(
      { kind: 'docker.build', target: 'api', detail: { repository: 'shop/api' } },
      async () => ({ image: 'shop/api:abc', cached: false }),
      (r) => ({ ok: true, detail: { image: r.image } }),
    );
    expect(value).toEqual({ image: 'shop/api:abc', cached: false });
    expect(store.listSteps('run-1')).toMatchObject([{ kind: 'docker.build', ok: true, result: { image: 'shop/api:abc' }, finishedAt: expect.any(String) }]);
  });

  it('records an effect that returned but did not succeed (a failing test) as ok: false', async () => {
    const { store, journal } = setup();
    await journal.step({ kind: 'docker.test', target: 'api', detail: null }, async () => ({ exitCode: 3 }), (r) => ({ ok: r.exitCode === 0, detail: r }));
    expect(store.listSteps('run-1')).toMatchObject([{ ok: false, result: { exitCode: 3 } }]);
  });

  it('writes the redacted error on failure and rethrows the same error', async () => {
    const { store, journal } = setup();
    const thrown = new ConvoyError('ROLLBACK_REFUSED', 'staging/api: token s3cr3t-token rejected');
    await expect(journal.step({ kind: 'target.rollback', target: 'staging/api', detail: null }, async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const [step] = store.listSteps('run-1');
    expect(step).toMatchObject({ ok: false, result: { error: { code: 'ROLLBACK_REFUSED', message: 'staging/api: token [redacted] rejected' } } });
    expect(JSON.stringify(step)).not.toContain('s3cr3t-token');
  });

  it('redacts the intent and the result as well', async () => {
    const { store, journal } = setup();
    await journal.step({ kind: 'k8s.apply', target: 'staging/api', detail: { args: ['--token=s3cr3t-token'] } }, async () => 'ok', () => ({ ok: true, detail: { said: 's3cr3t-token' } }));
    expect(store.listSteps('run-1')).toMatchObject([{ detail: { args: ['--token=[redacted]'] }, result: { said: '[redacted]' } }]);
  });

  it('does not run the effect when the intent cannot be written', async () => {
    const store = createMemoryStore();
    const journal = createJournal({ store, runId: 'no-such-run', redact: createRedactor([]) });
    let ran = false;
    await expect(journal.step({ kind: 'k', target: 't', detail: null }, async () => void (ran = true))).rejects.toMatchObject({ code: 'STORE_ERROR' });
    expect(ran).toBe(false);
  });
});
