// runEnvironment (electron/core/release/environment-run.ts) run directly: a cancel while services are
// in flight (the grace period before their wait is stopped, on vitest's fake timers: no real waiting),
// the cancel listener gone once the waves are over, and a failure that leaves the rest of its wave
// unstarted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConvoyError } from '../../../../shared/errors.js';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { CANCEL_GRACE_MS } from '../../../../electron/core/release/environment-run.js';
import { ENV, harness, stagesOf } from '../../../support/environment-run-harness.js';

/**
 * A run whose first wait for api lasts until its signal is aborted, then fails with `stopped` (default
 * CANCELLED); `waiting` resolves with that signal.
 */
function hangingWait(options: { cancelGraceMs?: number }, stopped = new ConvoyError('CANCELLED', 'wait for dev/api: cancelled')) {
  const controller = new AbortController();
  let entered!: (signal: AbortSignal) => void;
  const waiting = new Promise<AbortSignal>((resolve) => (entered = resolve));
  let hung = false;
  const h = harness({
    ...options,
    signal: controller.signal,
    port: (target) =>
      Object.assign(Object.create(target) as DeployTargetPort, {
        waitReady: (...args: Parameters<DeployTargetPort['waitReady']>) => {
          const [units, wait] = args;
          if (units[0]!.service !== 'api' || hung) return target.waitReady(...args);
          hung = true;
          entered(wait.signal!);
          return new Promise((_resolve, reject) => wait.signal!.addEventListener('abort', () => reject(stopped), { once: true }));
        },
      }),
  });
  return { h, controller, waiting };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('environment run: cancel', () => {
  it(`gives services in flight ${CANCEL_GRACE_MS} ms by default, then stops their wait: the environment is cancelled, not failed`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { h, controller, waiting } = hangingWait({});
    await h.deploy('v1');
    const outcome = h.run();
    const signal = await waiting;
    controller.abort();
    vi.advanceTimersByTime(CANCEL_GRACE_MS - 1);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);

    expect(await outcome).toBe('cancelled');
    expect(h.env.state).toBe('cancelled');
    expect(h.env.cause).toEqual({ code: 'CANCELLED', message: `The release was cancelled while deploying to ${ENV}` });
    const api = h.env.services.find((s) => s.service === 'api')!;
    expect([api.outcome, api.error]).toEqual(['failed', { code: 'CANCELLED', message: 'wait for dev/api: cancelled' }]);
    expect(stagesOf(h.release).filter((s) => s.startsWith('waves') || s.startsWith('rollback'))).toEqual([
      'waves:cancelled:null',
      'rollback:succeeded:2 rolled back, 0 removed, 0 already there, 0 not restored',
    ]);
  });

  it('gives services in flight the grace period it is given', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { h, controller, waiting } = hangingWait({ cancelGraceMs: 10_000 });
    await h.deploy('v1');
    const outcome = h.run();
    const signal = await waiting;
    controller.abort();
    vi.advanceTimersByTime(9_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await outcome).toBe('cancelled');
  });

  it('a service that fails with its own error once the grace is over is a failure, not a cancel', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { h, controller, waiting } = hangingWait({}, new ConvoyError('ROLLOUT_FAILED', 'dev/api: pods crash-looping'));
    await h.deploy('v1');
    const outcome = h.run();
    await waiting;
    controller.abort();
    vi.advanceTimersByTime(CANCEL_GRACE_MS);
    expect(await outcome).toBe('failed');
    expect(h.env.state).toBe('rolled-back');
    expect(h.env.cause).toEqual({ code: 'ROLLOUT_FAILED', message: 'dev/api: pods crash-looping' });
    expect(stagesOf(h.release).filter((s) => s.startsWith('waves'))).toEqual(['waves:failed:dev/api: pods crash-looping']);
  });

  it('a cancel after the waves no longer arms the grace timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const h = harness({ signal: controller.signal });
    expect(await h.run()).toBe('ok');
    controller.abort();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failure stops the rest of its wave: services not started read not-started while the others finish', async () => {
    // One wave of three (api, web, worker), two at a time: api fails at once, web is still applying,
    // worker never starts.
    const h = harness({
      after: {},
      concurrency: 2,
      port: (target) =>
        Object.assign(Object.create(target) as DeployTargetPort, {
          apply: async (...args: Parameters<DeployTargetPort['apply']>) => {
            // Let api's failure (promise callbacks only) run to its end first.
            if (args[0][0]!.service === 'web') await new Promise<void>((resolve) => setImmediate(resolve));
            return target.apply(...args);
          },
        }),
    });
    await h.deploy('v1');
    h.target.failOn('apply', 'api', new ConvoyError('PORT_IN_USE', 'port 8080 is taken'));
    const callsBefore = h.target.calls.length;
    expect(await h.run()).toBe('failed');

    const outcomes = (i: number) => Object.fromEntries(h.snapshots[i]!.environments[0]!.services.map((s) => [s.service, s.outcome]));
    const webWaiting = h.snapshots.findIndex((_, i) => outcomes(i).web === 'waiting');
    expect(outcomes(webWaiting)).toEqual({ api: 'failed', web: 'waiting', worker: 'not-started' });
    expect(h.env.services.map((s) => [s.service, s.outcome])).toEqual([['api', 'failed'], ['web', 'ready'], ['worker', 'not-started']]);
    expect(h.target.calls.slice(callsBefore).filter((c) => c.method === 'apply').flatMap((c) => c.services)).not.toContain('worker');
  });
});
