// Issue 13 item 7: a cancel reaches a safe point within a few seconds even while a service is slow to
// get ready. Services in flight get a grace period (cancelGraceMs) to finish; then their wait is
// stopped, the release is `cancelled` (not failed), each service's entry says how far it got, and what
// changed is rolled back.
import { describe, expect, it } from 'vitest';
import type { DeployTargetPort } from '../../../../electron/core/ports/deploy-target.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { createWorld, release, snapshot } from '../../../support/release-world.js';

describe('cancel while a service never gets ready', () => {
  it('stops its wait after the grace period, records the release cancelled with per-service state, and rolls back', async () => {
    const world = createWorld('docker');
    await release(world, { id: 'r1', version: 'v1', to: 'local' }).done;
    const before = await snapshot(world.targets.local);
    const controller = new AbortController();
    const real = world.targets.local;
    let hung = false;
    // catalog-api's first readiness wait would last until its deadline; the user cancels while it waits.
    world.ports.local = Object.assign(Object.create(real) as DeployTargetPort, {
      waitReady: async (...args: Parameters<DeployTargetPort['waitReady']>) => {
        const [units, options] = args;
        if (hung || units[0]!.service !== 'catalog-api') return real.waitReady(...args);
        hung = true;
        controller.abort();
        return new Promise((_resolve, reject) => {
          const stop = () => reject(new ConvoyError('CANCELLED', 'wait for local/catalog-api: cancelled'));
          if (options.signal?.aborted) stop();
          else options.signal?.addEventListener('abort', stop, { once: true });
        });
      },
    });
    const report = await release(world, { id: 'r2', version: 'v2', to: 'local', signal: controller.signal, cancelGraceMs: 0 }).done;

    expect(report.state).toBe('cancelled');
    expect(report.cause?.code).toBe('CANCELLED');
    const local = report.environments[0]!;
    expect(local.state).toBe('cancelled');
    const catalog = local.services.find((s) => s.service === 'catalog-api')!;
    expect([catalog.outcome, catalog.error?.code]).toEqual(['failed', 'CANCELLED']);
    expect(local.services.find((s) => s.service === 'storefront')?.outcome).toBe('not-started');
    expect(local.rollbacks.map((r) => r.service)).toContain('catalog-api');
    expect(local.rollbacks.every((r) => r.outcome === 'rolled-back' || r.outcome === 'already-there')).toBe(true);
    expect(await snapshot(world.targets.local)).toEqual(before);
  });
});
