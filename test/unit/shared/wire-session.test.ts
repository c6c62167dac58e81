// The client half of the WebSocket protocol on its own, over a scripted socket: call ids, answers,
// events, the end of the connection, and the calls it answers locally without sending anything.
import { describe, expect, it } from 'vitest';
import { createWireSession, type WireSocket } from '../../../shared/channel.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { ConvoyError } from '../../../shared/errors.js';

function scriptedSocket(open = true) {
  const sent: string[] = [];
  let failNext: Error | null = null;
  const socket: WireSocket & { sent: string[]; open: boolean; failNextSend(err: Error): void } = {
    sent,
    open,
    isOpen: () => socket.open,
    closedError: () => new ConvoyError('INTERNAL', 'socket closed'),
    send(text, fail) {
      sent.push(text);
      if (failNext) {
        const err = failNext;
        failNext = null;
        fail(err);
      }
    },
    failNextSend(err) {
      failNext = err;
    },
  };
  return socket;
}

const result = (id: number, output: unknown) => JSON.stringify({ type: 'result', id, result: { ok: true, output } });

describe('createWireSession', () => {
  it('numbers calls from 1 and settles each with its own answer, in any order', async () => {
    const socket = scriptedSocket();
    const session = createWireSession(socket);
    const first = session.call('a.one', { x: 1 });
    const second = session.call('a.two', {});
    expect(socket.sent.map((t) => JSON.parse(t))).toEqual([
      { type: 'call', id: 1, name: 'a.one', input: { x: 1 } },
      { type: 'call', id: 2, name: 'a.two', input: {} },
    ]);
    expect(session.receive(result(2, 'two'))).toMatchObject({ type: 'result', id: 2 });
    session.receive(result(1, 'one'));
    await expect(first).resolves.toEqual({ ok: true, output: 'one' });
    await expect(second).resolves.toEqual({ ok: true, output: 'two' });
  });

  it('ignores an answer to no pending call, and a second answer to the same call', async () => {
    const session = createWireSession(scriptedSocket());
    const call = session.call('a.one', {});
    session.receive(result(7, 'stray'));
    session.receive(result(1, 'first'));
    session.receive(result(1, 'again'));
    await expect(call).resolves.toEqual({ ok: true, output: 'first' });
    // Settled calls are forgotten: ending the session later rejects nothing that was answered.
    session.end(new ConvoyError('INTERNAL', 'gone'));
  });

  it('hands events to every listener until it unsubscribes, and returns what it parsed', () => {
    const session = createWireSession(scriptedSocket());
    const seen: string[] = [];
    const off = session.onEvent((name, payload) => seen.push(`1:${name}:${JSON.stringify(payload)}`));
    session.onEvent((name) => seen.push(`2:${name}`));
    expect(session.receive(JSON.stringify({ type: 'event', name: 'job.progress', payload: { n: 1 } }))).toEqual({
      type: 'event',
      name: 'job.progress',
      payload: { n: 1 },
    });
    off();
    session.receive(JSON.stringify({ type: 'event', name: 'job.done', payload: null }));
    expect(seen).toEqual(['1:job.progress:{"n":1}', '2:job.progress', '2:job.done']);
    expect(session.receive('not json')).toBeNull();
  });

  it('answers locally, without sending, when the input is not JSON or is too large', async () => {
    const socket = scriptedSocket();
    const session = createWireSession(socket);
    await expect(session.call('a.big', { n: 1n })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Input for a\.big is not JSON: /) },
    });
    await expect(session.call('a.big', { text: 'x'.repeat(MAX_MESSAGE_BYTES) })).resolves.toEqual({
      ok: false,
      error: { code: 'MESSAGE_TOO_LARGE', message: `Input for a.big is larger than ${MAX_MESSAGE_BYTES} bytes` },
    });
    expect(socket.sent).toEqual([]);
    // Just under the limit is sent (the limit counts the whole message in UTF-8 bytes).
    const envelope = JSON.stringify({ type: 'call', id: 3, name: 'a.big', input: { text: '' } }).length;
    void session.call('a.big', { text: 'x'.repeat(MAX_MESSAGE_BYTES - envelope) });
    expect(socket.sent).toHaveLength(1);
  });

  it('rejects a call whose send failed, and only that one', async () => {
    const socket = scriptedSocket();
    const session = createWireSession(socket);
    socket.failNextSend(new Error('EPIPE'));
    await expect(session.call('a.one', {})).rejects.toThrow('EPIPE');
    const ok = session.call('a.two', {});
    session.receive(result(2, 'fine'));
    await expect(ok).resolves.toEqual({ ok: true, output: 'fine' });
  });

  it('refuses calls on a closed socket with the socket\'s error', async () => {
    const session = createWireSession(scriptedSocket(false));
    await expect(session.call('a.one', {})).rejects.toMatchObject({ code: 'INTERNAL', message: 'socket closed' });
  });

  it('at the end rejects pending and later calls with the cause, and tells close listeners once', async () => {
    const socket = scriptedSocket();
    const session = createWireSession(socket);
    const pending = session.call('a.one', {});
    const closes: string[] = [];
    session.onClose((error) => closes.push(`early:${error.message}`));
    const off = session.onClose((error) => closes.push(`removed:${error.message}`));
    off();
    const cause = new ConvoyError('INTERNAL', 'server went away');
    session.end(cause);
    session.end(new ConvoyError('INTERNAL', 'second end'));
    await expect(pending).rejects.toBe(cause);
    await expect(session.call('a.two', {})).rejects.toBe(cause);
    session.onClose((error) => closes.push(`late:${error.message}`));
    expect(closes).toEqual(['early:server went away', 'late:server went away']);
    expect(socket.sent).toHaveLength(1);
  });
});
