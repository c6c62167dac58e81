import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { createClient } from '../../../shared/client.js';
import { ConvoyError } from '../../../shared/errors.js';
import { type Handlers, createDispatcher } from '../../../electron/core/dispatcher.js';
import { createEventBus } from '../../../electron/core/events.js';
import { createInProcessChannel } from '../../../electron/transports/in-process.js';
import { stubHandlers } from '../../support/stub-handlers.js';

function setup(overrides: Partial<Handlers> = {}) {
  const events = createEventBus();
  let n = 0;
  const handlers = stubHandlers({
    'app.info': (_input, ctx) => ({
      name: 'convoy',
      version: '9.9.9',
      dataDir: '/tmp/x',
      transport: ctx.transport,
      docker: { reachable: false, endpoint: 'unix:///nowhere', version: null, error: 'down' },
      storeSchemaVersion: 1,
    }),
    'history.list': () => ({ runs: [] }),
    'workspace.open': async (input, ctx) => {
      ctx.progress(`opening ${input.dir}`, 0.5);
      if (input.dir === '/fail') throw new ConvoyError('WORKSPACE_ERROR', 'no nx.json');
      if (input.dir === '/wait') {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        throw new Error('stopped');
      }
      return { root: input.dir, nxVersion: '24', nxSource: 'bundled', projects: [], cycles: [], cached: false };
    },
    ...overrides,
  });
  const dispatcher = createDispatcher({ handlers, events, newId: () => `job-${++n}` });
  const client = createClient(createInProcessChannel(dispatcher, events));
  return { dispatcher, events, client };
}

describe('dispatcher', () => {
  it('client.run hands the job id to onStart before any of the job\'s events', async () => {
    const { client } = setup();
    const order: string[] = [];
    await client.run(
      'workspace.open',
      { dir: '/repo' },
      (p) => order.push(`progress ${p.jobId}`),
      (jobId) => order.push(`start ${jobId}`),
    );
    expect(order).toEqual(['start job-1', 'progress job-1']);
  });

  it('answers a query with validated output and the caller transport', async () => {
    const { client } = setup();
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ version: '9.9.9', transport: 'in-process' });
  });

  it('refuses unknown commands, bad input and oversized input with typed errors', async () => {
    const { client } = setup();
    expect(await client.raw('app.nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await client.raw('history.list', { limit: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const extra = await client.raw('history.list', { limit: 1, evil: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(extra)).toContain('evil');
    const big = await client.raw('workspace.open', { dir: 'x'.repeat(MAX_MESSAGE_BYTES + 10) });
    expect(big).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(await client.call('history.list', { limit: 5 })).toEqual({ runs: [] });
  });

  it('turns a handler bug into INTERNAL without leaking a stack', async () => {
    const { client } = setup({
      'history.list': () => {
        throw new TypeError('boom');
      },
    });
    const result = await client.raw('history.list', {});
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('rejects an answer that breaks the output schema', async () => {
    const { client } = setup({ 'history.list': () => ({ runs: 'nope' }) as never });
    expect(await client.raw('history.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('returns a job id at once and reports progress and the result through events', async () => {
    const { client, dispatcher } = setup();
    const seen: string[] = [];
    const graph = await client.run('workspace.open', { dir: '/ws' }, (p) => seen.push(p.message));
    expect(graph.root).toBe('/ws');
    expect(seen).toEqual(['opening /ws']);
    expect(dispatcher.running()).toEqual([]);
  });

  it('reports a failed job with its code', async () => {
    const { client } = setup();
    await expect(client.run('workspace.open', { dir: '/fail' })).rejects.toMatchObject({ code: 'WORKSPACE_ERROR' });
  });

  it('cancels a running job', async () => {
    const { client, dispatcher } = setup();
    const jobId = await client.start('workspace.open', { dir: '/wait' });
    const finished = new Promise((resolve) => client.on('job.finished', resolve));
    expect(dispatcher.running()).toEqual([jobId]);
    expect(await client.call('job.cancel', { jobId })).toEqual({ cancelled: true });
    expect(await finished).toMatchObject({ jobId, ok: false, error: { code: 'CANCELLED' } });
    expect(await client.call('job.cancel', { jobId: 'unknown' })).toEqual({ cancelled: false });
  });
});
