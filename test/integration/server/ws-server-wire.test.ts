// The headless server on a real port: the wire protocol, oversized and malformed messages, events,
// closing connections, backpressure and port conflicts (token, Host, Origin, static files: ws-server.test.ts).
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../shared/client.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { ConvoyError } from '../../../shared/errors.js';
import { createDispatcher } from '../../../electron/core/dispatcher.js';
import { createEventBus } from '../../../electron/core/events.js';
import { type RunningServer, startServer } from '../../../electron/transports/ws/ws-server.js';
import { connectWebSocket } from '../../../electron/transports/ws/ws-channel-node.js';
import { fakeHandlers, get, rawClient, type ServerFixture, useFixture, wsUrl } from './ws-server-support.js';

describe('ws-server: wire protocol and connections', () => {
  let staticDir: string;
  let server: RunningServer;
  let app: ServerFixture['app'];
  const extra: RunningServer[] = [];
  useFixture(extra, (f) => ({ staticDir, server, app } = f));

  it('answers malformed JSON with BAD_MESSAGE and keeps the socket open', async () => {
    const client = rawClient(wsUrl(server));
    await client.opened;
    client.ws.send('{not json');
    expect(await client.next((m) => m.type === 'error')).toEqual({
      type: 'error',
      error: { code: 'BAD_MESSAGE', message: 'message is not valid JSON' },
    });
    client.ws.send(JSON.stringify({ type: 'call', id: 1, name: 'app.info', input: {}, extra: true }));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'BAD_MESSAGE' } });
    client.ws.send(JSON.stringify({ type: 'call', id: 2, name: 'app.info', input: {} }));
    const result = await client.next((m) => m.type === 'result');
    expect(result).toMatchObject({ type: 'result', id: 2, result: { ok: true, output: { transport: 'websocket' } } });
    client.ws.close();
    await client.closed;
  });

  it('answers an unknown command with UNKNOWN_COMMAND', async () => {
    const channel = await connectWebSocket(server.url);
    try {
      const result = await channel.invoke('nope.nothing', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
      const invalid = await channel.invoke('history.list', { limit: 'lots' });
      expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      channel.close();
    }
  });

  it('closes an oversized message with 1009 and keeps serving other clients', async () => {
    const bystander = await connectWebSocket(server.url);
    const client = rawClient(wsUrl(server));
    await client.opened;
    const huge = JSON.stringify({ type: 'call', id: 1, name: 'app.info', input: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    client.ws.send(huge);
    expect(await client.closed).toBe(1009);

    const fresh = await connectWebSocket(server.url);
    try {
      expect(await fresh.invoke('app.info', {})).toMatchObject({ ok: true });
      expect(await bystander.invoke('app.info', {})).toMatchObject({ ok: true });
    } finally {
      fresh.close();
      bystander.close();
    }
  });

  it('the node channel refuses oversized input locally', async () => {
    const channel = await connectWebSocket(server.url);
    try {
      const result = await channel.invoke('app.info', { pad: 'x'.repeat(MAX_MESSAGE_BYTES) });
      expect(result).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
      expect(await channel.invoke('app.info', {})).toMatchObject({ ok: true });
    } finally {
      channel.close();
    }
  });

  it('forwards events to every connected client and runs jobs end to end', async () => {
    const a = await connectWebSocket(server.url);
    const b = await connectWebSocket(server.url);
    try {
      const seen: string[] = [];
      b.onEvent((name) => seen.push(name));
      const progress: string[] = [];
      const graph = await createClient(a).run('workspace.open', { dir: '/repo' }, (p) => progress.push(p.message));
      expect(graph.root).toBe('/repo');
      expect(progress).toEqual(['reading the project graph']);
      // Events were emitted before a's job.finished; b got them on the same ordered socket sequence.
      const ping = await b.invoke('app.info', {});
      expect(ping.ok).toBe(true);
      expect(seen).toEqual(expect.arrayContaining(['job.progress', 'job.finished']));
    } finally {
      a.close();
      b.close();
    }
  });

  it('rejects pending calls when the connection closes', async () => {
    const events = createEventBus();
    let release: () => void = () => {};
    const slow = createDispatcher({
      events,
      newId: () => 'slow',
      handlers: { ...fakeHandlers(), 'history.list': () => new Promise((resolve) => (release = () => resolve({ runs: [] }))) },
    });
    const slowServer = await startServer({ app: { dispatcher: slow, events }, staticDir });
    extra.push(slowServer);
    const channel = await connectWebSocket(slowServer.url);
    const call = channel.invoke('history.list', {});
    await new Promise((resolve) => setImmediate(resolve));
    channel.close();
    await expect(call).rejects.toThrow(/closed/);
    release();
  });

  it('the node channel reports the end of the connection once, and at once to later listeners', async () => {
    const temp = await startServer({ app, staticDir });
    const channel = await connectWebSocket(temp.url);
    const seen: Array<{ code: string; message: string }> = [];
    channel.onClose((error) => seen.push({ code: error.code, message: error.message }));
    const off = channel.onClose(() => seen.push({ code: 'UNSUBSCRIBED', message: '' }));
    off();
    await temp.close();
    await channel.closed;
    expect(seen).toEqual([{ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) }]);
    let late: string | null = null;
    channel.onClose((error) => (late = error.message));
    expect(late).toMatch(/shutting down/);
    await expect(channel.invoke('app.info', {})).rejects.toThrow(/shutting down/);
  });

  it('client.run rejects promptly when the server closes mid-job, and so do later calls', async () => {
    const events = createEventBus();
    const stuck = createDispatcher({
      events,
      newId: () => 'stuck-job',
      handlers: {
        ...fakeHandlers(),
        // Reports progress, then never finishes.
        'workspace.open': (_input, ctx) => {
          ctx.progress('working forever', null);
          return new Promise(() => {});
        },
      },
    });
    const stuckServer = await startServer({ app: { dispatcher: stuck, events }, staticDir });
    const channel = await connectWebSocket(stuckServer.url);
    const client = createClient(channel);
    // run() reports progress only once it knows the job id, i.e. when it waits for job.finished.
    let waiting: () => void = () => {};
    const jobWaiting = new Promise<void>((resolve) => (waiting = resolve));
    const run = client.run('workspace.open', { dir: '/repo' }, () => waiting());
    run.catch(() => {});
    await jobWaiting;
    await stuckServer.close();
    await expect(run).rejects.toBeInstanceOf(ConvoyError);
    await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) });
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/shutting down/) });
    await expect(client.run('workspace.open', { dir: '/repo' })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('drops a client that does not read (close 1013) and keeps the others', async () => {
    const events = createEventBus();
    const dispatcher = createDispatcher({ events, newId: () => 'x', handlers: fakeHandlers() });
    const tight = await startServer({ app: { dispatcher, events }, staticDir, maxBufferedBytes: 256 * 1024 });
    extra.push(tight);
    const slow = rawClient(wsUrl(tight));
    await slow.opened;
    const healthy = await connectWebSocket(tight.url);
    let healthyEvents = 0;
    healthy.onEvent(() => healthyEvents++);

    slow.ws.pause();
    const message = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 400; i++) {
      events.emit('job.progress', { jobId: 'flood', command: 'workspace.open', message, fraction: null });
      // Let the server's sockets flush between bursts so only the paused client falls behind.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    slow.ws.resume();
    expect(await slow.closed).toBe(1013);
    expect(await healthy.invoke('app.info', {})).toMatchObject({ ok: true });
    expect(healthyEvents).toBeGreaterThan(0);
    healthy.close();
  });

  it('answers a clear message when the port is already in use', async () => {
    await expect(startServer({ app, port: server.port, staticDir })).rejects.toThrow(
      `Port ${server.port} on 127.0.0.1 is already in use — choose another with --port or stop the other process`,
    );
    // The first server still works.
    expect((await get(server.port, '/')).status).toBe(200);
  });

  it('close() ends open sockets with 1001 and frees the port', async () => {
    const temp = await startServer({ app, staticDir });
    const client = rawClient(wsUrl(temp));
    await client.opened;
    await temp.close();
    expect(await client.closed).toBe(1001);
    const again = await startServer({ app, staticDir, port: temp.port });
    extra.push(again);
    expect(again.port).toBe(temp.port);
    expect((again.url.match(/token=(.*)$/) ?? [])[1]).not.toBe(temp.token);
  });
});
