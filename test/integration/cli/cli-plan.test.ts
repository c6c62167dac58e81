// `convoy plan` through the real bin on a git copy of the bundled example with lib-pricing changed:
// the plain table, the --json shape, named projects, and an unknown environment (exit 2).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TestWorkspace, cleanEnv, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from '../release/example-copy.js';

const CLI = path.join(REPO_ROOT, 'bin', 'convoy.mjs');

let ws: TestWorkspace;
beforeAll(() => {
  ws = exampleWithPricingChange();
});
afterAll(removeWorkspaces);

function convoy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No kubeconfig, so the example's prod environment answers at once that its context is missing.
    const env = cleanEnv({ NO_COLOR: '1', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', KUBECONFIG: path.join(ws.dir, 'no-kubeconfig') });
    const child = spawn(process.execPath, [CLI, ...args, '--data', path.join(ws.dir, '..', 'data')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('convoy plan (CLI)', { timeout: 60_000 }, () => {
  it('prints a table of environments and waves, and why each project is in', async () => {
    const result = await convoy(['plan', '-w', ws.dir, '--base', 'main', '--head', 'feature']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Plan: 3 service\(s\) in 3 environment\(s\) — base [0-9a-f]{12}, head [0-9a-f]{12}$/);
    expect(lines.slice(2, 9)).toEqual([
      'ENVIRONMENT  TARGET      APPROVAL  WAVE  SERVICES',
      'local        docker      -         1     catalog-api, orders-api',
      '                                   2     storefront',
      'staging      docker      required  1     catalog-api, orders-api',
      '                                   2     storefront',
      'prod         kubernetes  required  1     catalog-api, orders-api',
      '                                   2     storefront',
    ]);
    expect(result.stdout).toMatch(/^ {2}prod: .*\[KUBE_CONTEXT_MISSING\]$/m);
    expect(result.stdout).toContain('  storefront   storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js');
    expect(result.stdout).toMatch(/^ {2}lib-pricing {2}\(not deployed\) /m);
  });

  it('prints JSON with environments and their waves, up to --env', async () => {
    const result = await convoy(['plan', '-w', ws.dir, '--base', 'main', '--head', 'feature', '--env', 'staging', '--json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { environments: Array<{ name: string; waves: string[][]; skipped: unknown[] }>; services: string[]; notDeployable: string[] };
    expect(plan.environments.map((e) => ({ name: e.name, waves: e.waves }))).toEqual([
      { name: 'local', waves: [['catalog-api', 'orders-api'], ['storefront']] },
      { name: 'staging', waves: [['catalog-api', 'orders-api'], ['storefront']] },
    ]);
    expect(plan.environments.every((e) => Array.isArray(e.skipped))).toBe(true);
    expect(plan).toMatchObject({ services: ['catalog-api', 'orders-api', 'storefront'], notDeployable: ['lib-pricing'] });
  });

  it('plans named projects in one environment', async () => {
    const result = await convoy(['plan', '-w', ws.dir, '--projects', 'storefront,orders-api', '--env', 'local', '--only', '--no-live', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { environments: unknown[] }).environments).toEqual([
      expect.objectContaining({ name: 'local', waves: [['orders-api'], ['storefront']], live: { checked: false, error: null } }),
    ]);
  });

  it('refuses an unknown environment with exit 2, naming the ones there are', async () => {
    const result = await convoy(['plan', '-w', ws.dir, '--env', 'qa']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^convoy: No environment "qa" in .*convoy\.yaml; its environments are: local, staging, prod \[INVALID_INPUT\]\n$/);
  });
});
