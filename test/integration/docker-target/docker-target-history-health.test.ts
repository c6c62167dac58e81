// The Docker staging target against a real Docker Engine: revision history (pruning retired
// revisions, refusing a container on a canonical name that Convoy did not make) and services
// without an HTTP health path (the image's HEALTHCHECK, a container that keeps running, one that
// stops).
//
// Images and every container the targets create carry a per-run label and are removed in afterAll
// (helpers.ts builds the test images and cleans up). Without a reachable Docker Engine the suite is
// skipped on a developer machine, but FAILS when the CI environment variable is set. No timing
// assertions: deadlines only bound how long a failure takes.
import { describe, expect, it } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { BASE_IMAGE, convoyError, useTargetSuite } from './helpers.js';

describe.skipIf(skipDocker)(`docker staging target on a real Docker Engine (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'hc', 'idle']);
  const { runId: RUN_ID, runLabels: RUN_LABELS, unit, target, containerNames } = suite;

  describe('history', () => {
    const env = `p${RUN_ID}`;
    const name = `convoy-${env}-web`;

    it('keeps only the newest retired revisions, and refuses rollback to a pruned one', async () => {
      const t = target(env, { keepRetired: 1 });
      await t.apply([unit('web', 'v1')]);
      await t.apply([unit('web', 'v2')]);
      await t.apply([unit('web', 'v1', { env: { GREETING: 'third' } })]);
      expect(await containerNames(env)).toEqual([name, `${name}-r2`]);
      expect((await t.revisions('web')).map((r) => [r.revision, r.current])).toEqual([
        ['3', true],
        ['2', false],
      ]);
      const err = await convoyError(t.rollback('web', '1'));
      expect(err.code).toBe('ROLLBACK_REFUSED');
      expect(err.message).toContain('known revisions: 3 (current), 2');
    });

    it('refuses a container on the canonical name that Convoy did not make', async () => {
      const foreign = await suite.docker.createContainer({
        name: `convoy-${env}-squat`,
        Image: BASE_IMAGE,
        Cmd: ['true'],
        Labels: RUN_LABELS,
      });
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'v2'), unit('squat', 'v1')]));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(`convoy-${env}-squat`);
      expect((await t.revisions('web')).find((r) => r.current)?.revision).toBe('3');
      await foreign.remove({ force: true });
    });
  });

  describe('concurrent changes', () => {
    const env = `q${RUN_ID}`;

    it('serialises applies made through two target objects for the same environment', async () => {
      // Each contract call makes its own target object; their changes must still queue per environment.
      const [a, b] = [target(env), target(env)];
      await Promise.all([a.apply([unit('web', 'v1')]), b.apply([unit('web', 'v2')])]);
      const revisions = await a.revisions('web');
      expect(revisions.map((r) => r.revision)).toEqual(['2', '1']);
      expect(revisions.filter((r) => r.current)).toHaveLength(1);
      expect(await containerNames(env)).toEqual([`convoy-${env}-web`, `convoy-${env}-web-r1`]);
    });
  });

  describe('without an HTTP health path', () => {
    const env = `h${RUN_ID}`;

    it("waits for the image's HEALTHCHECK", async () => {
      const t = target(env);
      await t.apply([unit('hc', 'hc', { health: null })]);
      const [status] = await t.waitReady([unit('hc', 'hc', { health: null })], { deadlineMs: 10_000 });
      expect(status?.state).toBe('ready');
      expect(status?.message).toContain('HEALTHCHECK healthy');
    });

    it('accepts a container that keeps running, and reports a missing one', async () => {
      const t = target(env);
      await t.apply([unit('idle', 'idle', { health: null, port: null })]);
      const statuses = await t.status(['idle', 'nothing']);
      expect(statuses.map((s) => [s.service, s.state])).toEqual([
        ['idle', 'ready'],
        ['nothing', 'missing'],
      ]);
      expect(statuses[0]?.message).toContain('without exiting');
    });

    it('notices a stopped container: waitReady fails, status says failed, apply starts a new revision', async () => {
      const t = target(env);
      const idle = unit('idle', 'idle', { health: null, port: null });
      await suite.docker.getContainer(`convoy-${env}-idle`).stop({ t: 1 });
      const err = await convoyError(t.waitReady([idle], { deadlineMs: 10_000 }));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('exited');
      expect((await t.status(['idle']))[0]?.state).toBe('failed');
      const diff = await t.diff([idle]);
      expect(diff.objects[0]?.change).toBe('modify');
      expect(diff.text).toMatch(/^-state: exited \(code \d+\)$/m);
      expect(diff.text).toContain('+state: running');
      expect((await t.apply([idle])).objects[0]?.action).toBe('configured');
      expect((await t.status(['idle']))[0]).toMatchObject({ state: 'ready', revision: '2' });
    });
  });
});
