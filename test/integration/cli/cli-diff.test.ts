// `convoy diff --env local` through the real bin on a git copy of the example with lib-pricing changed,
// against the real Docker Engine: it builds what the release would deploy, then prints the combined
// diff in wave order (plain and --json), redacts a declared secret, applies nothing (the environment's
// status is the same before and after, and no container runs the images it built), and refuses an
// unknown environment with exit 2. The images get this run's own repositories and are removed
// afterwards. Without a Docker Engine the suite skips, except under CI where it fails.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TestWorkspace, cleanEnv, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from '../release/example-copy.js';
import { docker, endpoint, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';

const CLI = path.join(REPO_ROOT, 'bin', 'convoy.mjs');
const REPO = `df${randomBytes(3).toString('hex')}`;
const SERVICES = ['catalog-api', 'orders-api', 'storefront'];
// The example declares SHOP_REGISTRY_TOKEN secret; local passes it to its containers below.
const SECRET = `tok-${randomBytes(8).toString('hex')}`;

let ws: TestWorkspace;
let removeNewImages: () => Promise<void> = async () => {};

function convoy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ NO_COLOR: '1', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', SHOP_REGISTRY_TOKEN: SECRET });
    const child = spawn(process.execPath, [CLI, ...args, '--data', path.join(ws.dir, '..', 'data')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function localStatus(): Promise<unknown> {
  const result = await convoy(['status', '--env', 'local', '-w', ws.dir, '--services', SERVICES.join(','), '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

async function containersOfOurImages(): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return all.filter((c) => c.Image.startsWith(`${REPO}/`)).map((c) => c.Id);
}

describe.skipIf(skipDocker)(`convoy diff on the Docker Engine (${endpoint})`, { timeout: 240_000 }, () => {
  beforeAll(async () => {
    requireDocker();
    ws = exampleWithPricingChange();
    // This run's own image repositories, so the images it removes afterwards are only its own.
    for (const service of SERVICES) {
      ws.editJson<{ convoy: { image: string } }>(`services/${service}/package.json`, (json) => {
        json.convoy.image = `${REPO}/${service}`;
      });
    }
    removeNewImages = await snapshotImages([`${REPO}/*`]);
    // local hands the declared secret to its containers, so the diff would show it if nothing redacted it.
    const yaml = fs.readFileSync(path.join(ws.dir, 'convoy.yaml'), 'utf8');
    fs.writeFileSync(path.join(ws.dir, 'convoy.yaml'), yaml.replace('  - name: local\n', '  - name: local\n    env: { REGISTRY_TOKEN: "${SHOP_REGISTRY_TOKEN}" }\n'));
  });
  afterAll(async () => {
    await removeNewImages();
    removeWorkspaces();
  });

  it('prints the combined diff of local in wave order, redacted, and applies nothing', async () => {
    const before = await localStatus();
    const result = await convoy(['diff', '--env', 'local', '-w', ws.dir, '--base', 'main', '--head', 'feature']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Diff of local (docker): 3 service(s) in 2 wave(s)', '  wave 1: catalog-api, orders-api', '  wave 2: storefront']);
    // Objects in apply order: wave 1's services before storefront.
    const objects = lines.filter((l) => /^(add|modify|unchanged)\s/.test(l)).map((l) => /\((\S+)\)$/.exec(l)?.[1]);
    expect(objects.at(-1), result.stdout).toBe('storefront');
    expect(new Set(objects)).toEqual(new Set(SERVICES));
    expect(result.stdout).toContain(`${REPO}/storefront:`);
    expect(lines).toContain('add        container convoy-local-storefront (storefront)');
    expect(result.stdout).toContain('+  REGISTRY_TOKEN=');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(await localStatus()).toEqual(before);
    expect(await containersOfOurImages()).toEqual([]);
  });

  it('prints JSON: waves, images built, objects and the redacted text', async () => {
    const result = await convoy(['diff', '--env', 'local', '-w', ws.dir, '--base', 'main', '--head', 'feature', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { environment: string; kind: string; waves: string[][]; images: { service: string; image: string }[]; objects: { service: string }[]; text: string };
    expect(report).toMatchObject({ environment: 'local', kind: 'docker', waves: [['catalog-api', 'orders-api'], ['storefront']] });
    expect(report.images.map((i) => i.image)).toEqual(SERVICES.map((s) => expect.stringMatching(new RegExp(`^${REPO}/${s}:[0-9a-f]{16}$`))));
    expect(report.objects.map((o) => o.service).at(-1)).toBe('storefront');
    expect(report.text).toContain('REGISTRY_TOKEN');
    expect(result.stdout).not.toContain(SECRET);
    expect(await containersOfOurImages()).toEqual([]);
  });

  it('refuses an unknown environment with exit 2, building nothing', async () => {
    const result = await convoy(['diff', '--env', 'qa', '-w', ws.dir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^convoy: No environment "qa" in .*convoy\.yaml; its environments are: local, staging, prod \[INVALID_INPUT\]\n$/);
  });
});
