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
});
