// The pieces of a release fit together on the bundled example, before the release engine exists:
// `build.run` builds and tests the three services, their convoy blocks become deploy units for the
// images it built, and the Docker staging target (made from convoy.yaml's environment shape) runs them,
// health-checked, on 127.0.0.1. Uses its own environment name so it never touches a user's `local`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../electron/app.js';
import { loadProjectSetup, loadWorkspaceConfig } from '../../../electron/adapters/config/load-config.js';
import { toDeployUnit } from '../../../electron/core/deploy-units.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import { createTargetFor } from '../../../electron/adapters/targets/target-factory.js';
import { EnvironmentConfig } from '../../../shared/config.js';
import { createClient } from '../../../shared/client.js';
import type { BuildReport } from '../../../shared/domain.js';
import { docker, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';

const SHOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/shop');
const SERVICES = ['catalog-api', 'orders-api', 'storefront'];
const ENV = `it-${randomBytes(3).toString('hex')}`;

let app: App;
let dataDir: string;
let target: DeployTargetPort;
let report: BuildReport;
let removeNewImages: () => Promise<void> = async () => {};

describe.skipIf(skipDocker)('build, then stage on the Docker target (examples/shop)', () => {
  beforeAll(async () => {
    requireDocker();
    removeNewImages = await snapshotImages(SERVICES.map((s) => `shop/${s}`));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-pipeline-'));
    app = createApp({ dataDir });
    target = createTargetFor(EnvironmentConfig.parse({ name: ENV, target: { kind: 'docker' } }), SHOP);
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`dev.convoy.environment=${ENV}`] }) });
    for (const c of containers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    await removeNewImages();
  });

  it('builds and tests the three services', async () => {
    report = await createClient(app.channel()).run('build.run', { dir: SHOP, projects: SERVICES });
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => [p.project, p.test.status])).toEqual(SERVICES.map((s) => [s, 'passed']));
  });

  it('stages the built images from their convoy blocks, health-checked on 127.0.0.1', async () => {
    const { config } = loadWorkspaceConfig(SHOP);
    expect(config.environments.find((e) => e.name === 'local')?.target.kind).toBe('docker');
    const graph = await createClient(app.channel()).run('workspace.open', { dir: SHOP });
    const units: DeployUnit[] = SERVICES.map((service) => {
      const project = graph.projects.find((p) => p.name === service)!;
      const setup = loadProjectSetup(SHOP, project);
      if (!setup?.ok) throw new Error(`no convoy block for ${service}`);
      const image = report.projects.find((p) => p.project === service)!.image!;
      return toDeployUnit(
        { service, config: setup.setup.config, manifestsDir: setup.setup.manifestsDir, image, releaseId: report.runId, commit: null, environmentEnv: {} },
        {},
      ).unit;
    });
    expect((await target.diff(units)).objects.map((o) => o.change)).toEqual(['add', 'add', 'add']);
    await target.apply(units);
    const statuses = await target.waitReady(units, { deadlineMs: 30_000 });
    expect(statuses.map((s) => [s.service, s.state, s.image])).toEqual(units.map((u) => [u.service, 'ready', u.image]));

    for (const service of SERVICES) {
      const info = await docker.getContainer(`convoy-${ENV}-${service}`).inspect();
      const binding = info.NetworkSettings.Ports['8080/tcp']?.[0];
      expect(binding?.HostIp).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${binding!.HostPort}/healthz`);
      expect(res.status).toBe(200);
    }
    expect((await target.diff(units)).objects.map((o) => o.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });
});
