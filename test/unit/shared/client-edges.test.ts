// The typed client's edges (shared/client.ts), written for the survivors of the mutation run
// (docs/mutation.md): progress that arrives before the job id, finished jobs kept for a later run (at
// most 256), the first end of the connection winning, and what is left subscribed after a run.
import { describe, expect, it, vi } from 'vitest';
import type { Channel } from '../../../shared/channel.js';
import { createClient } from '../../../shared/client.js';
import type { CallResult } from '../../../shared/contract.js';
import type { ErrorPayload } from '../../../shared/errors.js';

const GRAPH = { root: '/w', nxVersion: '0.0.0', nxSource: 'bundled', projects: [], cycles: [], cached: false };
const progress = (jobId: string, message: string) => ({ jobId, command: 'workspace.open', message, fraction: null });
const finished = (jobId: string) => ({ jobId, command: 'workspace.open', ok: true, output: GRAPH });

/** A channel whose invoke runs `onInvoke` (which may emit events or close) before it answers. */
function channelWith(onInvoke: (emit: (name: string, payload: unknown) => void) => CallResult<unknown>) {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const closers = new Set<(error: ErrorPayload) => void>();
  const emit = (name: string, payload: unknown) => {
    for (const listener of [...listeners]) listener(name, payload);
  };
  const channel: Channel = {
    invoke: async () => onInvoke(emit),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(listener) {
      closers.add(listener);
      return () => closers.delete(listener);
    },
  };
  const close = (error: ErrorPayload) => {
    for (const closer of [...closers]) closer(error);
  };
  return { channel, emit, close, listeners };
}

describe('createClient edges', () => {
  it('hands a run the progress of its own job that came before the job id, and none of other jobs', async () => {
    const fake = channelWith((emit) => {
      emit('job.progress', progress('job-9', 'early, mine'));
      emit('job.progress', progress('job-8', 'early, not mine'));
      return { ok: true, output: { jobId: 'job-9' } };
    });
    const client = createClient(fake.channel);
    const seen: string[] = [];
    const run = client.run('workspace.open', { dir: '/w' }, (p) => seen.push(p.message));
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.emit('job.progress', progress('job-8', 'late, not mine'));
    fake.emit('job.progress', progress('job-9', 'late, mine'));
    fake.emit('job.finished', finished('job-9'));
    expect(await run).toEqual(GRAPH);
    expect(seen).toEqual(['early, mine', 'late, mine']);
    // The run's progress listener is gone once it ended.
    fake.emit('job.progress', progress('job-9', 'after the end'));
    expect(seen).toEqual(['early, mine', 'late, mine']);
  });

  it('a run without a progress callback is fine with progress', async () => {
    const fake = channelWith(() => ({ ok: true, output: { jobId: 'job-1' } }));
    const client = createClient(fake.channel);
    const run = client.run('workspace.open', { dir: '/w' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.emit('job.progress', progress('job-1', 'working'));
    fake.emit('job.finished', finished('job-1'));
    expect(await run).toEqual(GRAPH);
  });

  it('keeps the 256 most recent finished jobs nobody waits for, and no more', async () => {
    let nextId = '';
    const fake = channelWith(() => ({ ok: true, output: { jobId: nextId } }));
    const client = createClient(fake.channel);
    for (let i = 1; i <= 257; i++) fake.emit('job.finished', finished(`old-${i}`));
    nextId = 'old-2'; // the oldest still kept
    expect(await client.run('workspace.open', { dir: '/w' })).toEqual(GRAPH);
    nextId = 'old-1'; // dropped: the run waits, and ends only with the client
    const waiting = client.run('workspace.open', { dir: '/w' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    client.close();
    await expect(waiting).rejects.toThrow('This Convoy client was closed');
  });

  it('a run whose connection ends between the reply and the wait fails with that end', async () => {
    const fake = channelWith(() => {
      fake.close({ code: 'DOCKER_UNAVAILABLE', message: 'gone' });
      return { ok: true, output: { jobId: 'job-1' } };
    });
    const client = createClient(fake.channel);
    await expect(client.run('workspace.open', { dir: '/w' })).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: 'gone' });
  });

  it('the first end wins: closing the client after the connection ended keeps the connection\'s error', async () => {
    const fake = channelWith(() => ({ ok: true, output: {} }));
    const client = createClient(fake.channel);
    fake.close({ code: 'NOT_A_CODE' as never, message: '' });
    client.close();
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: 'The connection closed' });
  });

  it('unsubscribes from the close at once when the channel had already ended', () => {
    const off = vi.fn();
    const channel: Channel = {
      invoke: async () => ({ ok: true, output: {} }),
      onEvent: () => () => undefined,
      onClose(listener) {
        listener({ code: 'INTERNAL', message: 'closed before' });
        return off;
      },
    };
    createClient(channel);
    expect(off).toHaveBeenCalledTimes(1);
  });

  it('a refused call rejects with its code; an unsubscribed handler hears nothing more', async () => {
    const fake = channelWith(() => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'no' } }));
    const client = createClient(fake.channel);
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'no' });
    const heard: string[] = [];
    const off = client.on('job.progress', (p) => heard.push(p.message));
    fake.emit('job.progress', progress('j', 'one'));
    off();
    fake.emit('job.progress', progress('j', 'two'));
    expect(heard).toEqual(['one']);
  });
});
