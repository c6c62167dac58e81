// The preload (electron/preload/index.ts) against a mocked `electron`: it must expose exactly one
// object, `convoy`, made of plain invoke/onEvent functions that never hand out ipcRenderer.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const ipcRenderer = {
    invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => ({ ok: true, output: { runs: [] } })),
    on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return ipcRenderer;
    }),
    removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    }),
    send: vi.fn(),
    sendSync: vi.fn(),
  };
  const exposed: Array<[string, unknown]> = [];
  const contextBridge = {
    exposeInMainWorld: vi.fn((key: string, api: unknown) => {
      exposed.push([key, api]);
    }),
  };
  return { ipcRenderer, contextBridge, exposed, listeners };
});

vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }));

type Api = { invoke(name: string, input: unknown): Promise<unknown>; onEvent(listener: (name: string, payload: unknown) => void): () => void };

beforeEach(async () => {
  fake.exposed.length = 0;
  fake.contextBridge.exposeInMainWorld.mockClear();
  vi.resetModules();
  await import('../../../electron/preload/index.js');
});

function api(): Api {
  return fake.exposed[0]![1] as Api;
}

describe('electron/preload/index.ts', () => {
  it('exposes exactly one object, "convoy", with only invoke and onEvent functions', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(fake.exposed[0]![0]).toBe('convoy');
    const exposed = api() as unknown as Record<string, unknown>;
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'onEvent']);
    expect(typeof exposed.invoke).toBe('function');
    expect(typeof exposed.onEvent).toBe('function');
    expect(Object.values(exposed)).not.toContain(fake.ipcRenderer);
    expect(Object.getPrototypeOf(exposed)).toBe(Object.prototype);
  });

  it('invoke goes over convoy:invoke and returns the call result', async () => {
    await expect(api().invoke('history.list', { limit: 3 })).resolves.toEqual({ ok: true, output: { runs: [] } });
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('convoy:invoke', 'history.list', { limit: 3 });
  });

  it('turns a rejected or malformed invoke into an INTERNAL result', async () => {
    fake.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'convoy:invoke'"));
    await expect(api().invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ hello: 'world' });
    await expect(api().invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('onEvent passes name and payload only (never the Electron event) and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = api().onEvent((...args) => seen.push(args));
    const listener = [...fake.listeners.get('convoy:event')!][0]!;
    listener({ sender: fake.ipcRenderer }, 'job.progress', { jobId: 'j' });
    listener({ sender: fake.ipcRenderer }, 42, { ignored: true });
    expect(seen).toEqual([['job.progress', { jobId: 'j' }]]);
    off();
    expect(fake.listeners.get('convoy:event')!.size).toBe(0);
  });
});
