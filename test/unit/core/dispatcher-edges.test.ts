// The dispatcher's edges (electron/core/dispatcher.ts), written for the survivors of the mutation run
// (docs/mutation.md): what an unknown command and an oversized input are told, the exact size limit,
// a job whose answer breaks its schema, the cancel message, and idle() waiting for running jobs.
import { describe, expect, it } from 'vitest';
import { byteLength, createDispatcher } from '../../../electron/core/dispatcher.js';
import { createEventBus } from '../../../electron/core/events.js';
import { stubHandlers } from '../../support/stub-handlers.js';

const ctx = { transport: 'in-process' as const };
const graph = (dir: string) => ({ root: dir, nxVersion: '24', nxSource: 'bundled' as const, projects: [], cycles: [], cached: false });

function make(handlers: Parameters<typeof stubHandlers>[0], maxMessageBytes?: number) {
  const events = createEventBus();
  const finished: unknown[] = [];
  events.subscribe((name, payload) => {
    if (name === 'job.finished') finished.push(payload);
  });
  let n = 0;
  const dispatcher = createDispatcher({ handlers: stubHandlers(handlers), events, newId: () => `job-${++n}`, ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) });
  return { dispatcher, finished };
}

describe('dispatcher edges', () => {
  it('names an unknown command (quoted, at most 80 characters, or its type) and lists the known ones', async () => {
    const { dispatcher } = make({});
    const nope = await dispatcher.dispatch('app.nope', {}, ctx);
    expect(nope).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    const message = (nope as { error: { message: string } }).error.message;
    expect(message).toMatch(/^Unknown command "app\.nope"\. Known commands: /);
    expect(message).toContain('app.info');
    expect(message).toContain('job.cancel');
    expect(message).toMatch(/Known commands: [a-z.]+, [a-z.]+, /);
    const long = await dispatcher.dispatch('y'.repeat(200), {}, ctx);
    expect((long as { error: { message: string } }).error.message).toContain(`Unknown command "${'y'.repeat(80)}".`);
    const number = await dispatcher.dispatch(42, {}, ctx);
    expect((number as { error: { message: string } }).error.message).toMatch(/^Unknown command number\. /);
  });

  it('takes an input of exactly the limit and refuses one byte more, saying the limit', async () => {
    const input = { dir: '/ws' };
    const limit = byteLength(input);
    const handlers = { 'workspace.open': async (i: { dir: string }) => graph(i.dir) };
    const atLimit = await make(handlers, limit).dispatcher.dispatch('workspace.open', input, ctx);
    expect(atLimit).toMatchObject({ ok: true });
    const over = await make(handlers, limit - 1).dispatcher.dispatch('workspace.open', input, ctx);
    expect(over).toEqual({ ok: false, error: { code: 'MESSAGE_TOO_LARGE', message: `Input for workspace.open is larger than ${limit - 1} bytes` } });
  });

  it('measures what JSON cannot encode as zero bytes, and nothing as the four bytes of null', () => {
    expect(byteLength(Symbol('x'))).toBe(0);
    expect(byteLength(undefined)).toBe(4);
    expect(byteLength({ a: 'é' })).toBe(new TextEncoder().encode('{"a":"é"}').length);
  });

  it('a query answer that breaks its schema is INTERNAL, naming the command', async () => {
    const { dispatcher } = make({ 'history.list': () => ({ runs: 'nope' }) as never });
    const result = (await dispatcher.dispatch('history.list', {}, ctx)) as { ok: false; error: { code: string; message: string } };
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).toMatch(/^history\.list produced an invalid answer: /);
  });

  it('a job whose answer breaks its schema still finishes: failed, INTERNAL, naming the command', async () => {
    const { dispatcher, finished } = make({ 'workspace.open': async () => ({ root: 3 }) as never });
    const started = (await dispatcher.dispatch('workspace.open', { dir: '/ws' }, ctx)) as { ok: true; output: { jobId: string } };
    await dispatcher.idle();
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ jobId: started.output.jobId, command: 'workspace.open', ok: false, error: { code: 'INTERNAL' } });
    expect((finished[0] as { error: { message: string } }).error.message).toMatch(/^workspace\.open produced an invalid answer: /);
  });

  it('a cancelled job finishes as CANCELLED with the command named', async () => {
    const { dispatcher, finished } = make({
      'workspace.open': (_i, jobCtx) => new Promise((_resolve, reject) => jobCtx.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    });
    const started = (await dispatcher.dispatch('workspace.open', { dir: '/ws' }, ctx)) as { ok: true; output: { jobId: string } };
    await new Promise((resolve) => setTimeout(resolve, 0)); // the handler starts on the next turn
    expect(await dispatcher.dispatch('job.cancel', { jobId: started.output.jobId }, ctx)).toEqual({ ok: true, output: { cancelled: true } });
    await dispatcher.idle();
    expect(finished[0]).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: 'workspace.open was cancelled' } });
  });

  it('idle() resolves only once every running job has finished', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { dispatcher } = make({ 'workspace.open': async (i: { dir: string }) => (await gate, graph(i.dir)) });
    await dispatcher.dispatch('workspace.open', { dir: '/a' }, ctx);
    await dispatcher.dispatch('workspace.open', { dir: '/b' }, ctx);
    let idle = false;
    const waiting = dispatcher.idle().then(() => void (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(idle).toBe(false);
    expect(dispatcher.running()).toHaveLength(2);
    open();
    await waiting;
    expect(idle).toBe(true);
    expect(dispatcher.running()).toEqual([]);
  });
});
