// Reading convoy.yaml and the projects' convoy blocks from disk, and the secrets Convoy finds on its
// own (Docker client config, kubeconfig).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerConfigSecrets, kubeconfigSecrets } from '../../../electron/adapters/config/known-secrets.js';
import { loadProjectSetup, loadWorkspaceConfig } from '../../../electron/adapters/config/load-config.js';
import type { WorkspaceProject } from '../../../shared/domain.js';

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const SHOP = path.join(REPO, 'examples', 'shop');
const dirs: string[] = [];
function temp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-config-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const project = (name: string, root: string): WorkspaceProject => ({
  name,
  root,
  type: 'application',
  tags: [],
  dependencies: [],
  capabilities: { dockerfile: null, manifests: null, test: null, buildable: false, deployable: false },
});

describe('loadWorkspaceConfig', () => {
  it('reads the example convoy.yaml', () => {
    const { config, file } = loadWorkspaceConfig(SHOP);
    expect(file).toBe(path.join(SHOP, 'convoy.yaml'));
    expect(config.environments.map((e) => [e.name, e.target.kind])).toEqual([
      ['local', 'docker'],
      ['staging', 'docker'],
      ['prod', 'kubernetes'],
    ]);
  });

  it('gives defaults without a file', () => {
    expect(loadWorkspaceConfig(temp({})).config).toEqual({ build: {}, secrets: { env: [] }, environments: [] });
  });

  it('names the file and line of a YAML syntax error', () => {
    const dir = temp({ 'convoy.yaml': 'environments:\n  - name: a\n    target: [unclosed\n' });
    expect(() => loadWorkspaceConfig(dir)).toThrow(new RegExp(`convoy\\.yaml:\\d+ is not valid YAML`));
  });

  it('reports an alias to a missing anchor as invalid YAML, not as a crash (found by the property test)', () => {
    const dir = temp({ 'convoy.yaml': 'nx: *missing\n' });
    expect(() => loadWorkspaceConfig(dir)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/convoy\.yaml is not valid YAML: .*alias/i) }));
  });

  it('names the field of a schema error', () => {
    const dir = temp({ 'convoy.yaml': 'environments:\n  - name: staging\n    target: { kind: kubernetes, namespace: shop }\n' });
    expect(() => loadWorkspaceConfig(dir)).toThrow(/environments\.0\.target\.context/);
    const typo = temp({ 'convoy.yaml': 'biuld: { concurrency: 2 }\n' });
    expect(() => loadWorkspaceConfig(typo)).toThrow(/biuld/);
  });

  it('names the file and the path of a bad release setting', () => {
    const dir = temp({ 'convoy.yaml': 'environments:\n  - name: local\n    target: { kind: docker }\n    gates: { resources: maybe }\n' });
    expect(() => loadWorkspaceConfig(dir)).toThrow(new RegExp(`convoy\\.yaml: environments\\.0\\.gates\\.resources: `));
  });

  it('names the file, the environment and the problem of a bad registry reference', () => {
    const dir = temp({ 'convoy.yaml': 'environments:\n  - name: staging\n    target: { kind: kubernetes, context: c, namespace: shop }\n    registry: https://registry.example.com/shop\n' });
    expect(() => loadWorkspaceConfig(dir)).toThrow(/convoy\.yaml: environments\.0\.registry: registry "https:\/\/registry\.example\.com\/shop" has a scheme; write it without one, e\.g\. registry\.example\.com\/shop/);
    const good = temp({ 'convoy.yaml': 'environments:\n  - name: staging\n    target: { kind: kubernetes, context: c, namespace: shop }\n    registry: 127.0.0.1:5000/convoy\n' });
    expect(loadWorkspaceConfig(good).config.environments[0]!.registry).toBe('127.0.0.1:5000/convoy');
  });

  it('reads the example’s release settings', () => {
    const { config } = loadWorkspaceConfig(SHOP);
    expect(config.deploy).toEqual({ concurrency: 2, timeout: 120 });
    expect(config.environments.map((e) => [e.name, e.approval?.required ?? false, e.rollback])).toEqual([
      ['local', false, 'auto'],
      ['staging', true, 'auto'],
      ['prod', true, 'auto'],
    ]);
  });
});

describe('loadProjectSetup', () => {
  it('reads every example service block with its context, Dockerfile and manifests', () => {
    for (const name of ['catalog-api', 'orders-api', 'storefront']) {
      const result = loadProjectSetup(SHOP, project(name, `services/${name}`));
      expect(result).toMatchObject({ ok: true, setup: { project: name, dockerfileExists: true, config: { image: `shop/${name}`, port: 8080 } } });
      if (result?.ok) expect(result.setup.manifestsDir).toBe(path.join(SHOP, 'services', name, 'deploy'));
    }
    expect(loadProjectSetup(SHOP, project('lib-pricing', 'libs/lib-pricing'))).toBeNull();
  });

  it('reports a bad block as that project’s error, naming the file and field', () => {
    const dir = temp({ 'a/package.json': JSON.stringify({ convoy: { image: 'x', port: 'eighty' } }), 'b/project.json': JSON.stringify({ convoy: { imag: 'x' } }) });
    const a = loadProjectSetup(dir, project('a', 'a'));
    expect(a).toMatchObject({ ok: false, project: 'a', error: { code: 'CONFIG_INVALID' } });
    if (a && !a.ok) expect(a.error.message).toMatch(/a\/package\.json "convoy": port/);
    const b = loadProjectSetup(dir, project('b', 'b'));
    if (b && !b.ok) expect(b.error.message).toMatch(/project\.json "convoy".*imag/);
    else throw new Error('expected an error for b');
  });
});

describe('known secrets', () => {
  it('finds registry auth in the Docker client config, decoded password included', () => {
    const dir = temp({ 'config.json': JSON.stringify({ auths: { 'registry.example': { auth: Buffer.from('me:pa55word-x').toString('base64') }, other: { identitytoken: 'idtok-123456' } } }) });
    const found = dockerConfigSecrets({ DOCKER_CONFIG: dir });
    expect(found).toContain('pa55word-x');
    expect(found).toContain('idtok-123456');
    expect(found).toContain(Buffer.from('me:pa55word-x').toString('base64'));
  });

  it('finds tokens and client keys in every kubeconfig on KUBECONFIG', () => {
    const key = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkey\n-----END EC PRIVATE KEY-----\n';
    const one = temp({ kc: 'users:\n  - name: a\n    user:\n      token: kube-token-abcdef\n' });
    const two = temp({ kc: `users:\n  - name: b\n    user:\n      client-key-data: ${Buffer.from(key).toString('base64')}\n`, broken: ':::' });
    const found = kubeconfigSecrets({ KUBECONFIG: [path.join(one, 'kc'), path.join(two, 'kc'), path.join(two, 'broken'), '/nonexistent'].join(path.delimiter) });
    expect(found).toContain('kube-token-abcdef');
    expect(found).toContain(key);
  });
});
