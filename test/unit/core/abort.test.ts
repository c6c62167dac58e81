import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortable } from '../../../electron/core/abort.js';

describe('abortable', () => {
  it('passes the result through when nothing is cancelled', async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve(7), controller.signal, 'x')).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('boom')), controller.signal, 'x')).rejects.toThrow('boom');
  });

  it('rejects with CANCELLED as soon as the signal fires, without waiting for the work', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = abortable(never, controller.signal, 'Opening the workspace');
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED', message: 'Opening the workspace was cancelled' });
  });

  it('rejects at once for an already cancelled signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortable(Promise.resolve(1), controller.signal, 'x')).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('without a signal gives back the work itself', () => {
    const work = Promise.resolve(3);
    expect(abortable(work, undefined, 'x')).toBe(work);
  });

  it('stops listening to the signal once the work settles, either way (no listener piles up on a long-lived signal)', async () => {
    const controller = new AbortController();
    const listening = new Set<unknown>();
    const signal = controller.signal;
    type Add = typeof signal.addEventListener;
    type Remove = typeof signal.removeEventListener;
    const add: Add = signal.addEventListener.bind(signal);
    const remove: Remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<Add>) => {
      if (args[0] === 'abort') listening.add(args[1]);
      add(...args);
    }) as Add;
    signal.removeEventListener = ((...args: Parameters<Remove>) => {
      if (args[0] === 'abort') listening.delete(args[1]);
      remove(...args);
    }) as Remove;
    await abortable(Promise.resolve(1), signal, 'x');
    await abortable(Promise.reject(new Error('boom')), signal, 'x').catch(() => undefined);
    expect(listening.size).toBe(0);
  });

  it('leaves no listener on the signal once it has fired, even while the work never settles', async () => {
    const controller = new AbortController();
    const waiting = abortable(new Promise<number>(() => {}), controller.signal, 'x');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
