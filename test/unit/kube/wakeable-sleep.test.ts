// waitForRollouts' sleep: a watch event wakes it at once, a wake that comes while it is not sleeping is
// kept for the next sleep (a change seen during a poll is not lost), and a cancel still rejects.
import { describe, expect, it } from 'vitest';
import { wakeableSleep } from '../../../electron/adapters/kube/deployments.js';

const HOUR = 3_600_000;

describe('wakeableSleep', () => {
  it('ends an hour-long sleep when woken', async () => {
    const napper = wakeableSleep();
    const slept = napper.sleep(HOUR);
    napper.wake();
    await expect(slept).resolves.toBeUndefined();
  });

  it('keeps a wake that came between sleeps for the next one, once', async () => {
    const napper = wakeableSleep();
    napper.wake();
    await expect(napper.sleep(HOUR)).resolves.toBeUndefined();
    let done = false;
    const second = napper.sleep(HOUR).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    napper.wake();
    await second;
    expect(done).toBe(true);
  });

  it('rejects when the caller cancels', async () => {
    const napper = wakeableSleep();
    const cancel = new AbortController();
    const slept = napper.sleep(HOUR, cancel.signal);
    cancel.abort();
    await expect(slept).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
