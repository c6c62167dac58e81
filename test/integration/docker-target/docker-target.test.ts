// The Docker staging target against a real Docker Engine, with Docker-chosen host ports
// (blue/green): deploy, diff, replace, failed health checks, exits, cancel, rollback. Without an
// engine: DOCKER_UNAVAILABLE. A fixed host port is in docker-target-fixed-port.test.ts; history
// pruning and targets without an HTTP health path are in docker-target-history-health.test.ts.
//
// Images and every container the targets create carry a per-run label and are removed in afterAll
// (helpers.ts builds the test images and cleans up). Without a reachable Docker Engine the suite is
// skipped on a developer machine, but FAILS when the CI environment variable is set. No timing
// assertions: deadlines only bound how long a failure takes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { createDockerTarget } from '../../../electron/adapters/docker-target/docker-target.js';
import { convoyError, httpText, useTargetSuite } from './helpers.js';

describe('docker target without an engine', () => {
  it('says DOCKER_UNAVAILABLE and how to fix it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'convoy-dt-nosock-'));
    try {
      const target = createDockerTarget({ environment: 'nowhere', endpoint: `unix://${path.join(dir, 'docker.sock')}` });
      const err = await convoyError(target.status(['web']));
      expect(err.code).toBe('DOCKER_UNAVAILABLE');
      expect(err.message).toContain('DOCKER_HOST');
      expect(err.message).toContain('nowhere');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipDocker)(`docker staging target on a real Docker Engine (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'bad', 'crash']);
  const { runId: RUN_ID, image, unit, target, inspectByName, publishedPort, version, containerNames } = suite;

  describe('with Docker-chosen host ports (blue/green)', () => {
    const env = `a${RUN_ID}`;
    const name = `convoy-${env}-web`;

    it('deploys a first revision that is healthy and reachable on 127.0.0.1', async () => {
      const t = target(env);
      const before = await t.diff([unit('web', 'v1')]);
      expect(before.objects).toMatchObject([{ service: 'web', change: 'add', object: `container ${name}` }]);
      expect(before.text).toContain(`+image: ${image('v1')}`);
      expect(before.text).toContain('+  API_TOKEN=***');
      expect(before.text).not.toContain('tok-123456');

      const messages: string[] = [];
      const result = await t.apply([unit('web', 'v1')], { progress: (m) => messages.push(m) });
      expect(result).toEqual({ environment: env, objects: [{ service: 'web', object: `container ${name}`, action: 'created' }] });
      expect(messages.some((m) => m.includes('healthy'))).toBe(true);

      expect(await version(name)).toBe('v1');
      expect((await httpText(`http://127.0.0.1:${await publishedPort(name)}/cgi-bin/greeting`)).body).toBe('GREETING=hello');
      const info = await inspectByName(name);
      expect(info?.Config.Labels).toMatchObject({
        'dev.convoy.managed-by': 'convoy',
        'dev.convoy.environment': env,
        'dev.convoy.service': 'web',
        'dev.convoy.release-id': 'rel-v1',
        'dev.convoy.commit': 'c0ffee-v1',
        'dev.convoy.revision': '1',
      });
      expect(info?.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] });

      const [status] = await t.status(['web']);
      expect(status).toMatchObject({ service: 'web', state: 'ready', revision: '1', image: image('v1') });
      const ready = await t.waitReady([unit('web', 'v1')], { deadlineMs: 10_000 });
      expect(ready.map((s) => s.state)).toEqual(['ready']);
    });

    it('reports unchanged after apply, and a masked modify for changed config', async () => {
      const t = target(env);
      const id = (await inspectByName(name))?.Id;
      const same = await t.diff([unit('web', 'v1')]);
      expect(same.objects).toMatchObject([{ change: 'unchanged', diff: '' }]);
      expect(same.text).toBe('');
      expect((await t.apply([unit('web', 'v1')])).objects[0]?.action).toBe('unchanged');
      expect((await inspectByName(name))?.Id).toBe(id);

      const changed = await t.diff([unit('web', 'v1', { env: { GREETING: 'hi', API_TOKEN: 'tok-other' } })]);
      expect(changed.objects[0]?.change).toBe('modify');
      for (const line of ['-  GREETING=hello', '+  GREETING=hi', '-  API_TOKEN=***', '+  API_TOKEN=*** (changed)']) {
        expect(changed.text.split('\n')).toContain(line);
      }
      expect(changed.text).not.toContain('tok-');
    });

    it('replaces the revision with a new image and retires the old one', async () => {
      const t = target(env);
      const result = await t.apply([unit('web', 'v2')]);
      expect(result.objects[0]?.action).toBe('configured');
      expect(await version(name)).toBe('v2');
      const retired = await inspectByName(`${name}-r1`);
      expect(retired?.State.Running).toBe(false);
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);

      const revisions = await t.revisions('web');
      expect(revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
        ['2', image('v2'), true],
        ['1', image('v1'), false],
      ]);
      expect(revisions[0]).toMatchObject({ commit: 'c0ffee-v2', releaseId: 'rel-v2' });
      expect(revisions[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('keeps the old revision serving when the new one fails its health check', async () => {
      const t = target(env, { healthDeadlineMs: 3_000 });
      const id = (await inspectByName(name))?.Id;
      const err = await convoyError(t.apply([unit('web', 'bad')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('HTTP 404');
      expect(err.message).toContain('starting the build without healthz');
      expect(err.message).toContain('kept serving');
      expect((await inspectByName(name))?.Id).toBe(id);
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('fails at once with the exit code and logs when the new container exits', async () => {
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'crash')]));
      expect(err.code).toBe('HEALTH_FAILED');
      expect(err.message).toContain('exited (code 3)');
      expect(err.message).toContain('fatal: config missing');
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('cleans up a half-started revision when cancelled', async () => {
      const t = target(env);
      const controller = new AbortController();
      const progress = (message: string) => {
        if (message.includes('waiting for')) controller.abort();
      };
      const err = await convoyError(t.apply([unit('web', 'bad')], { signal: controller.signal, progress }));
      expect(err.code).toBe('CANCELLED');
      expect(await version(name)).toBe('v2');
      expect(await containerNames(env)).toEqual([name, `${name}-r1`]);
    });

    it('refuses an image that is not in the local engine, changing nothing', async () => {
      const t = target(env);
      const err = await convoyError(t.apply([unit('web', 'v1', { image: `convoy-dt-test/missing:${RUN_ID}` })]));
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toContain(`convoy-dt-test/missing:${RUN_ID}`);
      expect(await version(name)).toBe('v2');
    });

    it('rolls back to the previous revision as a new revision, and to a named one', async () => {
      const t = target(env);
      const back = await t.rollback('web');
      expect(back).toEqual({ service: 'web', from: '2', to: '1', current: '3' });
      expect(await version(name)).toBe('v1');
      expect((await httpText(`http://127.0.0.1:${await publishedPort(name)}/cgi-bin/greeting`)).body).toBe('GREETING=hello');

      const revisions = await t.revisions('web');
      expect(revisions.map((r) => [r.revision, r.image, r.releaseId, r.current])).toEqual([
        ['3', image('v1'), 'rel-v1', true],
        ['2', image('v2'), 'rel-v2', false],
        ['1', image('v1'), 'rel-v1', false],
      ]);

      const unknown = await convoyError(t.rollback('web', '99'));
      expect(unknown.code).toBe('ROLLBACK_REFUSED');
      expect(unknown.message).toContain('3 (current), 2, 1');

      expect(await t.rollback('web', '2')).toEqual({ service: 'web', from: '3', to: '2', current: '4' });
      expect(await version(name)).toBe('v2');
      expect((await t.diff([unit('web', 'v2')])).objects[0]?.change).toBe('unchanged');
    });
  });
});
