// What the preload script hands the page as `window.convoy`: two plain functions over the IPC
// channels, never ipcRenderer itself nor any Electron event object. No Electron import here (the
// preload passes its ipcRenderer in), so this runs in tests and bundles into the sandboxed preload
// with no runtime dependency at all.
import type { CallResult } from '../../../shared/contract.js';
import type { Channel } from '../../../shared/channel.js';

/** The one request/response channel: `invoke(INVOKE_CHANNEL, name, input) → CallResult`. */
export const INVOKE_CHANNEL = 'convoy:invoke';
/** Main → page events: `send(EVENT_CHANNEL, name, payload)`. */
export const EVENT_CHANNEL = 'convoy:event';

/** The slice of Electron's ipcRenderer the preload needs. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The object the page sees as `window.convoy`; it is exactly a shared Channel. */
export type PreloadApi = Channel;

function internal(message: string): CallResult<unknown> {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

function isCallResult(value: unknown): value is CallResult<unknown> {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (record.ok === true) return 'output' in record;
  if (record.ok === false) {
    const error = record.error as Record<string, unknown> | null | undefined;
    return !!error && typeof error === 'object' && typeof error.code === 'string' && typeof error.message === 'string';
  }
  return false;
}

export function createPreloadApi(ipcRenderer: IpcRendererLike): PreloadApi {
  const api: PreloadApi = {
    async invoke(name: string, input: unknown): Promise<CallResult<unknown>> {
      try {
        const result = await ipcRenderer.invoke(INVOKE_CHANNEL, name, input);
        return isCallResult(result) ? result : internal('The main process answered something that is not a call result');
      } catch (err) {
        // Only happens when main has no handler (yet) or the value could not be cloned.
        return internal(err instanceof Error ? err.message : String(err));
      }
    },
    onEvent(listener: (name: string, payload: unknown) => void): () => void {
      // The Electron event (which carries `sender`, i.e. ipcRenderer) never reaches the page.
      const forward = (_event: unknown, name: unknown, payload: unknown) => {
        if (typeof name === 'string') listener(name, payload);
      };
      ipcRenderer.on(EVENT_CHANNEL, forward);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipcRenderer.removeListener(EVENT_CHANNEL, forward);
      };
    },
  };
  return Object.freeze(api);
}
