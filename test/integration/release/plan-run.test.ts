// `release.plan` through the contract on a copy of the bundled example: real Nx and convoy.yaml, a
// fake image builder (content hashes only) and fake targets, so skips are checked without an engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfigAdapter } from '../../../electron/adapters/config/config-adapter.js';
import { type App, createApp } from '../../../electron/app.js';
import type { DeployTargetPort, ServiceStatus } from '../../../electron/core/ports/deploy-target.js';
import type { ImageBuilderPort } from '../../../electron/core/ports/image-builder.js';
import { planReleaseRun } from '../../../electron/features/release/plan-run.js';
import { createClient } from '../../../shared/client.js';
import { ConvoyError } from '../../../shared/errors.js';
import { type TestWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from './example-copy.js';

const HASH = 'abcdef0123456789'.repeat(4);
const builder: ImageBuilderPort = {
  contentHash: async () => HASH,
  build: async () => {
    throw new Error('plan must not build');
  },
  runTest: async () => {
    throw new Error('plan must not test');
  },
};
const image = (service: string) => `shop/${service}:${HASH.slice(0, 16)}`;

/** A target whose status answers from a table, per environment; `unreachable` fails the call. */
function fakeTargets(live: Record<string, Record<string, Omit<ServiceStatus, 'service' | 'message'>> | 'unreachable'>) {
  const asked: string[] = [];
  const makeTarget = (environment: { name: string; target: { kind: 'docker' | 'kubernetes' } }): DeployTargetPort => ({
    kind: environment.target.kind,
    environment: environment.name,
    async status(services) {
      asked.push(environment.name);
      const table = live[environment.name];
      if (table === 'unreachable') throw new ConvoyError('KUBE_UNREACHABLE', `cluster of ${environment.name} does not answer`);
      return services.map((service) => ({ service, message: '', ...(table?.[service] ?? { state: 'missing' as const, revision: null, image: null }) }));
    },
    diff: async () => Promise.reject(new Error('unused')),
    apply: async () => Promise.reject(new Error('unused')),
    waitReady: async () => Promise.reject(new Error('unused')),
    revisions: async () => Promise.reject(new Error('unused')),
    rollback: async () => Promise.reject(new Error('unused')),
    remove: async () => Promise.reject(new Error('unused')),
  });
  return { asked, makeTarget };
}

let ws: TestWorkspace;
let app: App;
let dataDir: string;
beforeAll(() => {
  ws = exampleWithPricingChange();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-plan-'));
  app = createApp({ dataDir, workspace: ws.port, builder });
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeWorkspaces();
});

describe('release.plan on the example', () => {
  it('plans the affected services in two waves per environment, with their reasons and settings', async () => {
    const plan = await createClient(app.channel()).run('release.plan', { dir: ws.dir, base: 'main', head: 'feature', environment: 'staging', live: false });
    expect(plan.environments.map((e) => [e.name, e.kind, e.approvalRequired, e.rollback, e.waves, e.skipped, e.live.checked])).toEqual([
      ['local', 'docker', false, 'auto', [['catalog-api', 'orders-api'], ['storefront']], [], false],
      ['staging', 'docker', true, 'auto', [['catalog-api', 'orders-api'], ['storefront']], [], false],
    ]);
    expect(plan.notDeployable).toEqual(['lib-pricing']);
    expect(plan.reasons.find((r) => r.project === 'storefront')?.explanation).toBe('storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js');
    expect(plan.base).toMatch(/^[0-9a-f]{40}$/);
  });

  it('skips what already runs with the same image, and says where it could not look', async () => {
    const { asked, makeTarget } = fakeTargets({
      local: { 'catalog-api': { state: 'ready', revision: '3', image: image('catalog-api') }, storefront: { state: 'ready', revision: '1', image: 'shop/storefront:0000000000000000' } },
      staging: { 'catalog-api': { state: 'failed', revision: '2', image: image('catalog-api') } },
      prod: 'unreachable',
    });
    const plan = await planReleaseRun({ dir: ws.dir, base: 'main', head: 'feature' }, { workspace: ws.port, builder, config: createConfigAdapter(), makeTarget });
    expect(asked).toEqual(['local', 'staging', 'prod']);
    expect(plan.images).toEqual({ 'catalog-api': image('catalog-api'), 'orders-api': image('orders-api'), storefront: image('storefront') });
    const [local, staging, prod] = plan.environments;
    expect(local).toMatchObject({ waves: [['orders-api'], ['storefront']], skipped: [{ service: 'catalog-api', image: image('catalog-api') }], live: { checked: true, error: null } });
    expect(staging).toMatchObject({ waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [] });
    expect(prod).toMatchObject({ waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [], live: { checked: false, error: { code: 'KUBE_UNREACHABLE' } } });
  });

  it('in an environment with a registry, a service on the digest its image was pushed as is skipped', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const adapter = createConfigAdapter();
    const config = {
      ...adapter,
      workspaceConfig: (root: string) => {
        const found = adapter.workspaceConfig(root);
        return { ...found, config: { ...found.config, environments: found.config.environments.map((e) => (e.name === 'prod' ? { ...e, registry: 'registry.example.com/shop' } : e)) } };
      },
    };
    const { makeTarget } = fakeTargets({
      prod: {
        'catalog-api': { state: 'ready', revision: '4', image: `registry.example.com/shop/shop/catalog-api@${digest}` },
        'orders-api': { state: 'ready', revision: '2', image: `registry.example.com/shop/shop/orders-api@sha256:${'b'.repeat(64)}` },
      },
    });
    const registry = () => ({
      check: async () => {},
      hasManifest: async () => true,
      push: async () => Promise.reject(new Error('plan must not push')),
      knownDigests: async (local: string) => (local === image('catalog-api') || local === image('orders-api') ? [digest] : []),
    });
    const plan = await planReleaseRun({ dir: ws.dir, base: 'main', head: 'feature', environment: 'prod', only: true }, { workspace: ws.port, builder, config, makeTarget, registry });
    expect(plan.environments[0]).toMatchObject({ name: 'prod', skipped: [{ service: 'catalog-api', image: image('catalog-api') }], waves: [['orders-api'], ['storefront']] });
  });

  it('redacts secrets from what a target said when it could not answer', async () => {
    const makeTarget = (environment: { name: string; target: { kind: 'docker' | 'kubernetes' } }): DeployTargetPort => ({
      ...fakeTargets({}).makeTarget(environment),
      status: async () => Promise.reject(new ConvoyError('KUBE_AUTH', 'token tok-secret-123456 was refused')),
    });
    const plan = await planReleaseRun(
      { dir: ws.dir, projects: ['orders-api'], environment: 'local' },
      { workspace: ws.port, builder, config: createConfigAdapter(), makeTarget, env: { SHOP_REGISTRY_TOKEN: 'tok-secret-123456' } },
    );
    expect(plan.environments[0]!.live.error).toEqual({ code: 'KUBE_AUTH', message: 'token [redacted] was refused' });
  });

  it('plans named projects, and one environment with only', async () => {
    const plan = await createClient(app.channel()).run('release.plan', { dir: ws.dir, projects: ['storefront', 'lib-http'], environment: 'staging', only: true, live: false });
    expect(plan).toMatchObject({ base: null, head: null, services: ['storefront'], notDeployable: ['lib-http'] });
    expect(plan.environments.map((e) => [e.name, e.waves])).toEqual([['staging', [['storefront']]]]);
  });

  it('refuses an unknown environment and a deploy cycle made by deployAfter, with typed errors', async () => {
    const client = createClient(app.channel());
    await expect(client.run('release.plan', { dir: ws.dir, environment: 'qa' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('No environment "qa" in'),
    });
    ws.editJson<{ convoy: { deployAfter?: string[] } }>('services/catalog-api/package.json', (json) => {
      json.convoy.deployAfter = ['storefront'];
    });
    try {
      await expect(client.run('release.plan', { dir: ws.dir, base: 'main', head: 'feature', live: false })).rejects.toMatchObject({
        code: 'DEPLOY_CYCLE',
        message: expect.stringContaining('catalog-api → storefront (deployAfter) → catalog-api (depends)'),
      });
    } finally {
      ws.git('checkout', '--', 'services/catalog-api/package.json');
    }
  });
});
