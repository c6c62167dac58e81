// The Docker staging target against a real Docker Engine with a fixed host port: the old revision
// is stopped and the new one started on the same port, restored when the new one fails; host ports
// held by another process or another Convoy container are refused; rollback on the same port.
//
// Images and every container the targets create carry a per-run label and are removed in afterAll
// (helpers.ts builds the test images and cleans up). Without a reachable Docker Engine the suite is
// skipped on a developer machine, but FAILS when the CI environment variable is set. No timing
// assertions: deadlines only bound how long a failure takes.
import { describe, expect, it, beforeAll } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { convoyError, freePort, httpText, listen, useTargetSuite } from './helpers.js';

describe.skipIf(skipDocker)(`docker staging target on a real Docker Engine (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'bad']);
  const { runId: RUN_ID, unit, target, inspectByName, publishedPort, containerNames } = suite;

  describe('with a fixed host port (stop, start, restore)', () => {
    const env = `f${RUN_ID}`;
    const name = `convoy-${env}-web`;
    let port = 0;

    beforeAll(async () => {
      port = await freePort();
    });

    it('deploys on the fixed port and replaces in place', async () => {
      const t = target(env, { hostPort: (service) => (service === 'web' ? port : undefined) });
      expect((await t.apply([unit('web', 'v1')])).objects[0]?.action).toBe('created');
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v1');
      expect((await t.diff([unit('web', 'v1')])).objects[0]?.change).toBe('unchanged');

      expect((await t.apply([unit('web', 'v2')])).objects[0]?.action).toBe('configured');
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
      expect(await publishedPort(name)).toBe(port);
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('restores the old revision on the same port when the new one fails', async () => {
      const t = target(env, { hostPort: () => port, healthDeadlineMs: 3_000 });
      const id = (await inspectByName(name))?.Id;
      const err = await convoyError(t.apply([unit('web', 'bad')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('HTTP 404');
      expect(err.message).toContain('starting the build without healthz');
      expect(err.message).toContain('restored and is serving');
      expect((await inspectByName(name))?.Id).toBe(id);
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('refuses a host port held by another process before changing anything', async () => {
      const busyPort = await freePort();
      const holder = await listen(busyPort);
      try {
        const t = target(env, { hostPort: () => busyPort });
        const id = (await inspectByName(name))?.Id;
        const err = await convoyError(t.apply([unit('web', 'v1')]));
        expect(err.code).toBe('PORT_IN_USE');
        expect(err.message).toContain(String(busyPort));
        expect(err.message).toContain('web');
        const info = await inspectByName(name);
        expect(info?.Id).toBe(id);
        expect(info?.State.Running).toBe(true);
        expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v2');
        expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });

    it('refuses a host port published by another Convoy container', async () => {
      const t = target(env, { hostPort: () => port });
      const err = await convoyError(t.apply([unit('other', 'v1')]));
      expect(err.code).toBe('PORT_IN_USE');
      expect(err.message).toContain(name);
      expect(err.message).toContain(`${env}/other`);
    });

    it('rolls back on the same port', async () => {
      const t = target(env, { hostPort: () => port });
      expect(await t.rollback('web')).toEqual({ service: 'web', from: '2', to: '1', current: '3' });
      expect((await httpText(`http://127.0.0.1:${port}/version`)).body).toBe('v1');
      expect((await t.revisions('web')).map((r) => r.revision)).toEqual(['3', '2', '1']);
    });
  });
});
