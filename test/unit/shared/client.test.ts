// The typed client over a scripted Channel: event names, and the end of the connection.
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/channel.js';
import { createClient } from '../../../shared/client.js';
import type { CallResult } from '../../../shared/contract.js';
import { ConvoyError, type ErrorPayload } from '../../../shared/errors.js';

const GRAPH = { root: '/w', nxVersion: '0.0.0', nxSource: 'bundled', projects: [], cycles: [], cached: false };

/** A channel the test drives: emit(), closeWith(), and calls answered from `answer`. */
function scriptedChannel(options: { closable?: boolean; answer?: (name: string) => CallResult<unknown> } = {}) {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const closeListeners = new Set<(error: ErrorPayload) => void>();
  let ended: ErrorPayload | null = null;
  const calls: string[] = [];
  const channel: Channel = {
    async invoke(name) {
      calls.push(name);
      if (ended) throw new ConvoyError(ended.code, ended.message);
      return options.answer?.(name) ?? { ok: true, output: { jobId: 'job-1' } };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  if (options.closable ?? true) {
    channel.onClose = (listener) => {
      if (ended) {
        listener(ended);
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    };
  }
  return {
    channel,
    calls,
    listenerCount: () => listeners.size,
    closeListenerCount: () => closeListeners.size,
    emit(name: string, payload: unknown) {
      for (const listener of [...listeners]) listener(name, payload);
    },
    closeWith(error: ErrorPayload) {
      ended = error;
      for (const listener of [...closeListeners]) listener(error);
      closeListeners.clear();
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createClient: event names', () => {
  it('ignores events named after Object.prototype members instead of throwing', () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const seen: unknown[] = [];
    client.on('job.progress', (p) => seen.push(p));
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(() => fake.emit(name, {}), name).not.toThrow();
    }
    fake.emit('job.progress', { jobId: 'j', command: 'workspace.open', message: 'm', fraction: null });
    expect(seen).toHaveLength(1);
  });

  it('ignores unknown names and payloads that fail their schema', () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const seen: unknown[] = [];
    client.on('workspace.opened', (p) => seen.push(p));
    fake.emit('workspace.closed', { root: '/w' });
    fake.emit('workspace.opened', { root: 1 });
    fake.emit('workspace.opened', { root: '/w', projects: 2, cached: false });
    expect(seen).toEqual([{ root: '/w', projects: 2, cached: false }]);
  });
});

describe('createClient: the end of the connection', () => {
  it('rejects a run waiting for its job with the close error, code and message', async () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await tick();
    expect(fake.calls).toEqual(['workspace.open']);
    fake.closeWith({ code: 'UNAUTHORIZED', message: 'token revoked' });
    await expect(run).rejects.toBeInstanceOf(ConvoyError);
    await expect(run).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'token revoked' });
  });

  it('rejects every pending run, and later calls and runs without sending them', async () => {
    let next = 0;
    const fake = scriptedChannel({ answer: () => ({ ok: true, output: { jobId: `job-${++next}` } }) });
    const client = createClient(fake.channel);
    const runs = [client.run('workspace.open', { dir: '/a' }), client.run('affected.compute', { dir: '/b' })];
    await tick();
    fake.closeWith({ code: 'INTERNAL', message: 'The Convoy server is shutting down' });
    for (const run of runs) await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: 'The Convoy server is shutting down' });
    const sent = fake.calls.length;
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: /shutting down/ });
    await expect(client.run('workspace.open', { dir: '/c' })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(client.start('workspace.open', { dir: '/c' })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(client.raw('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(fake.calls.length).toBe(sent);
    // It stopped listening to the channel.
    expect(fake.listenerCount()).toBe(0);
  });

  it('maps an unknown close code to INTERNAL', async () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await tick();
    fake.closeWith({ code: 'WAT' as ErrorPayload['code'], message: 'odd' });
    await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: 'odd' });
  });

  it('fails at once on a channel that had already closed', async () => {
    const fake = scriptedChannel();
    fake.closeWith({ code: 'INTERNAL', message: 'gone' });
    const client = createClient(fake.channel);
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: 'gone' });
    expect(fake.calls).toEqual([]);
    expect(fake.listenerCount()).toBe(0);
  });

  it('a finished job still resolves its run, and a close afterwards changes nothing', async () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await tick();
    fake.emit('job.finished', { jobId: 'job-1', command: 'workspace.open', ok: true, output: GRAPH });
    await expect(run).resolves.toEqual(GRAPH);
    fake.closeWith({ code: 'INTERNAL', message: 'gone' });
  });

  it('close() fails waiting runs and unsubscribes from the channel', async () => {
    const fake = scriptedChannel();
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await tick();
    client.close();
    await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: /closed/ });
    expect(fake.listenerCount()).toBe(0);
    expect(fake.closeListenerCount()).toBe(0);
  });

  it('works over a channel without onClose (in-process, IPC)', async () => {
    const fake = scriptedChannel({ closable: false });
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await tick();
    fake.emit('job.finished', { jobId: 'job-1', command: 'workspace.open', ok: false, error: { code: 'WORKSPACE_ERROR', message: 'no nx.json' } });
    await expect(run).rejects.toMatchObject({ code: 'WORKSPACE_ERROR' });
  });
});
