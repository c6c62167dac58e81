// `convoy rehearse --workspace DIR --env NAME` through the real bin on a git copy of the example with
// lib-pricing changed, against the real Docker Engine: the first run builds, tests and deploys the
// three services in two waves and says where each answers on 127.0.0.1; the second builds nothing,
// applies nothing and says so. The environment gets a per-run name (so no other test's containers are
// touched) and its own image repositories; its containers and images are removed afterwards. Without a Docker Engine
// the suite skips, except under CI where it fails.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TestWorkspace, cleanEnv, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from '../release/example-copy.js';
import { docker, endpoint, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';

const CLI = path.join(REPO_ROOT, 'bin', 'convoy.mjs');
const ENV = `rh${randomBytes(3).toString('hex')}`;
const SERVICES = ['catalog-api', 'orders-api', 'storefront'];

let ws: TestWorkspace;
let removeNewImages: () => Promise<void> = async () => {};

function convoy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ NO_COLOR: '1', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
    const child = spawn(process.execPath, [CLI, ...args, '--data', path.join(ws.dir, '..', 'data')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(skipDocker)(`convoy rehearse on the Docker Engine (${endpoint})`, { timeout: 240_000 }, () => {
  beforeAll(async () => {
    requireDocker();
    ws = exampleWithPricingChange();
    // This run's own image repositories, so the images it removes afterwards are only its own.
    for (const service of SERVICES) {
      ws.editJson<{ convoy: { image: string } }>(`services/${service}/package.json`, (json) => {
        json.convoy.image = `${ENV}/${service}`;
      });
    }
    removeNewImages = await snapshotImages([`${ENV}/*`]);
    // Only this run's environment, on the local Docker Engine (left uncommitted: the release compares commits).
    fs.writeFileSync(path.join(ws.dir, 'convoy.yaml'), `deploy: { concurrency: 2, timeout: 2m }\nenvironments:\n  - name: ${ENV}\n    target: { kind: docker }\n`);
  });
  afterAll(async () => {
    const containers = await docker.listContainers({ all: true, filters: { label: [`dev.convoy.environment=${ENV}`] } });
    for (const c of containers) await docker.getContainer(c.Id).remove({ force: true });
    await removeNewImages();
    removeWorkspaces();
  });

  it('releases the change in two waves and says where each service answers; the second run does nothing', async () => {
    const args = ['rehearse', '--workspace', ws.dir, '--env', ENV, '--base', 'main', '--head', 'feature'];
    const first = await convoy(args);
    expect(first.stderr).not.toContain('convoy:');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`^${ENV} +docker +- +1 +catalog-api, orders-api$`, 'm'));
    expect(first.stdout).toMatch(new RegExp(`^Release \\S+ → ${ENV}: SUCCEEDED$`, 'm'));
    expect(first.stdout).toContain('waves: 1) catalog-api, orders-api  2) storefront');
    for (const service of SERVICES) {
      expect(first.stdout).toMatch(new RegExp(`^ {2}${service} +ready +${ENV}/${service}:[0-9a-f]{16} +http://127\\.0\\.0\\.1:\\d+$`, 'm'));
    }
    const storefront = /storefront +ready +\S+ +(http:\/\/127\.0\.0\.1:\d+)/.exec(first.stdout)![1]!;
    expect((await fetch(`${storefront}/healthz`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    expect(first.stdout).toMatch(/^ {2}✓ test \(/m);

    const second = await convoy(args);
    expect(second.stderr.split('\n').filter((l) => /convoy:|rollback|failed|✗/.test(l))).toEqual([]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain(`${ENV} (docker): unchanged`);
    expect(second.stdout).toContain('Nothing was built and nothing was applied: every service already runs the images of this commit.');
  });
});
