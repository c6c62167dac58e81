// The fault matrix on the Docker target (issue 13, item 5): the engine going away mid-wave (through a
// stand-in socket, test/support/docker-proxy.ts; the real daemon is never stopped), a container
// that exits at start, a health check that fails and a port already in use. Each release records into
// a real store; each test asserts the code, the message naming the service, the journal and stored
// report, the rollback of the failed wave, and every service's container as the real engine holds it
// compared with its state before. Every test has its own environment where v1 of the three services
// runs; v2 then meets the fault. Test images: test/integration/docker-target/helpers.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { createImageInspector } from '../../../electron/adapters/docker/image-inspector.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../../electron/core/ports/image-builder.js';
import { endpoint, skipDocker } from '../../support/docker-engine.js';
import { startDockerProxy, type DockerProxy } from '../../support/docker-proxy.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import type { DockerTargetConfig } from '../../../electron/adapters/docker-target/docker-target.js';
import { freePort, listen, type TargetSuite, useTargetSuite } from '../docker-target/helpers.js';
import { beforeApplyOf, openFaultStore, rollbacksOf, type FaultStore } from './fault-support.js';

/** "Builds" by handing out the suite's prebuilt variant named by the VERSION build arg. */
class PrebuiltImages implements ImageBuilderPort {
  constructor(private readonly suite: TargetSuite) {}
  async contentHash(spec: BuildSpec) {
    return `${spec.project}-${spec.buildArgs.VERSION}`;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = this.suite.image(spec.buildArgs.VERSION!);
    const imageId = (await this.suite.docker.getImage(image).inspect()).Id;
    return { project: spec.project, image, contentHash: `${spec.project}|${image}`, imageId, cached: true, durationMs: 1 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 1, logs: [] };
  }
}

describe.skipIf(skipDocker)(`fault matrix: Docker target (${endpoint})`, () => {
  const suite = useTargetSuite(['v1', 'v2', 'bad', 'crash']);
  let faults: FaultStore;
  let proxy: DockerProxy;
  let serial = 0;
  beforeAll(async () => {
    faults = openFaultStore('convoy-faults-docker');
    proxy = await startDockerProxy(endpoint);
  });
  afterAll(async () => {
    await proxy?.close();
    faults?.close();
  });

  interface Setup {
    env: string;
    target: DeployTargetPort;
    world: EngineWorld;
  }

  function setup(extra: Partial<DockerTargetConfig> = {}): Setup {
    const env = `f${++serial}${suite.runId}`;
    const target = suite.target(env, { healthDeadlineMs: 3_000, ...extra });
    const world: EngineWorld = { builder: new PrebuiltImages(suite), images: createImageInspector(), lock: faults.lock, ports: { local: target, staging: target }, recorders: [], unitEnv: { GREETING: 'hello' } };
    return { env, target, world };
  }

  /** Every service's container as the real engine holds it (never through the proxy), and what it serves. */
  async function containers(env: string) {
    const out: Record<string, unknown> = {};
    for (const service of SERVICES) {
      const info = await suite.inspectByName(`convoy-${env}-${service}`);
      out[service] = info ? { imageId: info.Image, running: info.State.Running, serves: info.State.Running ? await suite.version(`convoy-${env}-${service}`) : null } : null;
    }
    // No candidate of a failed revision is left beside them.
    out.candidates = (await suite.containerNames(env)).filter((name) => name.includes('-next'));
    return out;
  }

  async function baseline(s: Setup) {
    const first = await release(s.world, { id: `${s.env}-v1`, version: 'v1', to: 'local', recorder: faults.recorder(`${s.env}-v1`) }).done;
    expect(first.state).toBe('succeeded');
    return { containers: await containers(s.env), status: await snapshot(s.target) };
  }

  const releaseV2 = (s: Setup, variants: Record<string, string> = {}) =>
    release(s.world, { id: `${s.env}-v2`, version: 'v2', to: 'local', variants, recorder: faults.recorder(`${s.env}-v2`) }).done;

  function failedSteps(s: Setup) {
    return faults.steps(`${s.env}-v2`).filter((st) => st.ok === false).map((st) => [st.kind, st.target, st.code]);
  }

  /** The report, the stored record and the journal agree: storefront left alone, wave 1 rolled back in reverse. */
  function expectRolledBack(s: Setup, report: ReleaseReport) {
    expect(report.state).toBe('rolled-back');
    expect(rollbacksOf(report)).toEqual([
      ['storefront', 'already-there'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(faults.report(`${s.env}-v2`)).toMatchObject({ state: 'rolled-back', cause: report.cause, environments: [{ rollbacks: report.environments[0]!.rollbacks }] });
    const steps = faults.steps(`${s.env}-v2`).filter((st) => st.kind === 'target.rollback');
    expect(steps.map((st) => [st.target, st.ok])).toEqual([
      [`${s.env}/orders-api`, true],
      [`${s.env}/catalog-api`, true],
    ]);
  }

  it('the engine goes away as wave 2 starts and is back for the rollback: DOCKER_UNAVAILABLE naming the service; the wave is rolled back', async () => {
    const s = setup({ endpoint: proxy.endpoint });
    const before = await baseline(s);
    const through = beforeApplyOf(s.target, 'storefront', () => proxy.stop());
    // The engine is back (a daemon restart) by the time the rollback reads what runs.
    s.world.ports.local = Object.assign(Object.create(through) as DeployTargetPort, {
      status: async (...args: Parameters<DeployTargetPort['status']>) => {
        await proxy.start();
        return s.target.status(...args);
      },
    });
    const report = await releaseV2(s);
    expect(report.cause).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    expect(report.cause!.message).toContain(`Deploying ${s.env}/storefront stopped: Docker Engine not reachable at ${proxy.endpoint} for environment ${s.env}`);
    expect(report.cause!.message).toMatch(/\((connect |write |read )?(ENOENT|ECONNREFUSED|EPIPE|ECONNRESET)/);
    expect(failedSteps(s)).toEqual([['target.apply', `${s.env}/storefront`, 'DOCKER_UNAVAILABLE']]);
    expectRolledBack(s, report);
    expect(await containers(s.env)).toEqual(before.containers);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('the engine goes away for good mid-wave: DOCKER_UNAVAILABLE; the failed rollbacks are recorded naming each service, and what runs is as the report says', async () => {
    const s = setup({ endpoint: proxy.endpoint });
    await proxy.start();
    const before = await baseline(s);
    s.world.ports.local = beforeApplyOf(s.target, 'storefront', () => proxy.stop());
    try {
      const report = await releaseV2(s);
      expect(report.state).toBe('failed');
      expect(report.cause).toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringContaining(`Deploying ${s.env}/storefront stopped`) });
      expect(report.environments[0]!.services.map((x) => [x.service, x.outcome])).toEqual([
        ['catalog-api', 'ready'],
        ['orders-api', 'ready'],
        ['storefront', 'failed'],
      ]);
      expect(rollbacksOf(report)).toEqual([
        ['storefront', 'failed'],
        ['orders-api', 'failed'],
        ['catalog-api', 'failed'],
      ]);
      for (const entry of report.environments[0]!.rollbacks) {
        expect(entry.message).toMatch(new RegExp(`^${s.env}/${entry.service}: rollback failed: .*Docker Engine not reachable.*\\[DOCKER_UNAVAILABLE\\]`));
      }
      expect(faults.report(`${s.env}-v2`)).toMatchObject({ state: 'failed', environments: [{ rollbacks: report.environments[0]!.rollbacks }] });
    } finally {
      await proxy.start();
    }
    // Exactly what the record says: wave 1 runs v2 (not rolled back), storefront still v1.
    const after = (await containers(s.env)) as Record<string, { serves: string } | string[]>;
    expect([after['catalog-api'], after['orders-api'], after.storefront]).toMatchObject([{ serves: 'v2' }, { serves: 'v2' }, { serves: 'v1' }]);
    expect(after.storefront).toEqual(before.containers.storefront);
    expect(after.candidates).toEqual([]);
  });

  it('a container that exits at start: HEALTH_FAILED naming the service, its exit code and last log line; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    const report = await releaseV2(s, { storefront: 'crash' });
    expect(report.cause).toMatchObject({ code: 'HEALTH_FAILED' });
    expect(report.cause!.message).toMatch(new RegExp(`^${s.env}/storefront: revision 2 \\(.*crash.*\\) failed its health check: container exited \\(code 3\\)`));
    expect(report.cause!.message).toContain('fatal: config missing');
    expect(failedSteps(s)).toEqual([['target.apply', `${s.env}/storefront`, 'HEALTH_FAILED']]);
    expectRolledBack(s, report);
    expect(await containers(s.env)).toEqual(before.containers);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('a health check that fails: HEALTH_FAILED naming the service and the failing probe; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    const report = await releaseV2(s, { storefront: 'bad' });
    expect(report.cause).toMatchObject({ code: 'HEALTH_FAILED' });
    expect(report.cause!.message).toMatch(new RegExp(`^${s.env}/storefront: revision 2 \\(.*bad.*\\) failed its health check: GET http://127\\.0\\.0\\.1:\\d+/healthz → HTTP 404[\\s\\S]*not healthy within 3000 ms\\. It was removed; revision 1 \\(convoy-${s.env}-storefront\\) kept serving`));
    expect(failedSteps(s)).toEqual([['target.apply', `${s.env}/storefront`, 'HEALTH_FAILED']]);
    expectRolledBack(s, report);
    expect(await containers(s.env)).toEqual(before.containers);
    expect(await snapshot(s.target)).toEqual(before.status);
  });

  it('a port already in use: PORT_IN_USE naming the service and the port, nothing changed for it; the wave is rolled back', async () => {
    const s = setup();
    const before = await baseline(s);
    const port = await freePort();
    const holder = await listen(port);
    try {
      // v2 gives storefront a fixed host port, which another process holds.
      const fixed = suite.target(s.env, { healthDeadlineMs: 3_000, hostPort: (service) => (service === 'storefront' ? port : undefined) });
      s.world.ports.local = fixed;
      const report = await releaseV2(s);
      expect(report.cause).toEqual({ code: 'PORT_IN_USE', message: `${s.env}/storefront: 127.0.0.1:${port} is already in use by another process (EADDRINUSE); nothing was changed` });
      expect(failedSteps(s)).toEqual([['target.apply', `${s.env}/storefront`, 'PORT_IN_USE']]);
      expectRolledBack(s, report);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(await containers(s.env)).toEqual(before.containers);
    expect(await snapshot(s.target)).toEqual(before.status);
  });
});
