// The real `convoy affected` command (bin/convoy.mjs, the whole app behind it) on a real workspace:
// exit codes, the --json shape, the plain table with dependency chains, and its errors.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convoy } from './cli-run.js';
import {
  type TestWorkspace,
  createWorkspace,
  git,
  nxAffected,
  packageTemplate,
  removeWorkspaces,
  tempDir,
} from './fixtures.js';

const CASE_TIMEOUT = 60_000;
const SHA = /^[0-9a-f]{40}$/;
interface AffectedJson {
  base: string;
  head: string;
  projects: Array<{ name: string; root: string; direct: boolean; cause: string; files: string[]; via: string[] }>;
}

describe('convoy affected (CLI)', () => {
  let ws: TestWorkspace;
  let data: string;
  let featureHead: string;
  let nx: string[];

  beforeAll(() => {
    ws = createWorkspace('cli', packageTemplate());
    data = tempDir('cli-data');
    ws.branch('feature');
    featureHead = ws.commit('util and admin', {
      'libs/util/index.js': "export const util = 'util v2';\n",
      'apps/admin/index.js': "export const admin = 'admin v2';\n",
    });
    // main moves on after the branch point; the CLI must compare against the merge-base.
    ws.checkout('main');
    ws.commit('main: worker', { 'apps/worker/index.js': "export const worker = 'worker v2';\n" });
    ws.checkout('feature');
    nx = nxAffected(ws.dir, ['--base=main', '--head=feature']);
  });
  afterAll(() => removeWorkspaces());

  it('--json: exit 0, the stable shape, sorted by name, the same set as nx', async () => {
    const result = await convoy(['affected', '--workspace', ws.dir, '--base', 'main', '--head', 'feature', '--json', '--data', data]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const json = JSON.parse(result.stdout) as AffectedJson;
    expect(Object.keys(json).sort()).toEqual(['base', 'head', 'projects']);
    expect(json.base).toMatch(SHA);
    expect(json.head).toMatch(SHA);
    expect(json.base).toBe(ws.initial); // the merge-base of main and feature
    expect(json.head).toBe(featureHead);
    for (const p of json.projects) {
      // issue 11: `cause` joined the shape (files, dependency or the workspace-wide cause).
      expect(Object.keys(p).sort()).toEqual(['cause', 'direct', 'files', 'name', 'root', 'via']);
      expect(p.cause).toBe(p.direct ? 'files' : 'dependency');
      expect(typeof p.name).toBe('string');
      expect(typeof p.root).toBe('string');
      expect(typeof p.direct).toBe('boolean');
      expect(Array.isArray(p.files) && p.files.every((f) => typeof f === 'string')).toBe(true);
      expect(Array.isArray(p.via) && p.via.every((v) => typeof v === 'string')).toBe(true);
    }
    const names = json.projects.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(nx);
    expect(names).toEqual(['@acme/admin', '@acme/core', '@acme/util', '@acme/web']);

    const byName = new Map(json.projects.map((p) => [p.name, p]));
    expect(byName.get('@acme/util')).toEqual({ name: '@acme/util', cause: 'files', root: 'libs/util', direct: true, files: ['libs/util/index.js'], via: [] });
    expect(byName.get('@acme/admin')).toEqual({ name: '@acme/admin', cause: 'files', root: 'apps/admin', direct: true, files: ['apps/admin/index.js'], via: [] });
    expect(byName.get('@acme/core')).toEqual({ name: '@acme/core', cause: 'dependency', root: 'libs/core', direct: false, files: [], via: ['@acme/util'] });
    expect(byName.get('@acme/web')).toEqual({ name: '@acme/web', cause: 'dependency', root: 'apps/web', direct: false, files: [], via: ['@acme/core', '@acme/util'] });
  }, CASE_TIMEOUT);

  it('--json after a root package.json dependency bump: the workspace-wide cause is in the JSON (issue 11)', async () => {
    // Uncommitted on the feature branch (where beforeAll left the workspace): only the working tree counts.
    const pkg = ws.readJson<{ dependencies: Record<string, string> }>('package.json');
    pkg.dependencies.zod = '^3.24.0';
    ws.write({ 'package.json': pkg });
    try {
      const result = await convoy(['affected', '--workspace', ws.dir, '--uncommitted', '--json', '--data', data]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout) as AffectedJson;
      const util = json.projects.find((p) => p.name === '@acme/util');
      expect(util).toEqual({ name: '@acme/util', root: 'libs/util', direct: true, cause: 'package.json dependency zod changed', files: [], via: [] });
      expect(json.projects.find((p) => p.name === '@acme/core')?.cause).toBe('dependency');
    } finally {
      ws.git('checkout', '-q', '--', 'package.json');
    }
  }, CASE_TIMEOUT);

  it('plain output: a header, then one line per project with the dependency chain', async () => {
    const result = await convoy(['affected', '--workspace', ws.dir, '--base', 'main', '--head', 'feature', '--data', data]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^4 affected project\(s\) — base [0-9a-f]{12}, head [0-9a-f]{12}, 2 touched file\(s\)/);
    expect(lines[0]).toContain(`base ${ws.initial.slice(0, 12)}`);
    expect(lines[0]).toContain(`head ${featureHead.slice(0, 12)}`);

    const rows = lines.filter((line) => line.startsWith('@acme/'));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual(nx);
    const row = (name: string) => rows.find((line) => line.startsWith(`${name} `)) ?? '';
    expect(row('@acme/util')).toMatch(/\bdirect\b.*libs\/util\/index\.js/);
    expect(row('@acme/core')).toMatch(/\bdependent\b/);
    expect(row('@acme/core')).toContain('@acme/core ← @acme/util');
    expect(row('@acme/web')).toContain('@acme/web ← @acme/core ← @acme/util');
    expect(result.stdout).not.toContain('@acme/worker');
  }, CASE_TIMEOUT);

  it('a bad ref: exit 1 and a clear message on stderr', async () => {
    const badBase = await convoy(['affected', '--workspace', ws.dir, '--base', 'no-such-branch', '--head', 'feature', '--json', '--data', data]);
    expect(badBase.code).toBe(1);
    expect(badBase.stdout).toBe('');
    expect(badBase.stderr).toMatch(/^convoy: .*"no-such-branch".*\[GIT_ERROR\]\n$/);
    expect(badBase.stderr).toMatch(/Unknown git revision/);

    const badHead = await convoy(['affected', '--workspace', ws.dir, '--base', 'main', '--head', 'no-such-head', '--data', data]);
    expect(badHead.code).toBe(1);
    expect(badHead.stderr).toMatch(/^convoy: .*no-such-head.*\[GIT_ERROR\]/);
    expect(badHead.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, CASE_TIMEOUT);

  it('a directory without nx.json: exit 1 and a clear WORKSPACE_ERROR', async () => {
    const plain = tempDir('not-nx');
    fs.writeFileSync(path.join(plain, 'package.json'), '{ "name": "plain" }\n');
    git(plain, 'init', '-q', '-b', 'main');
    const result = await convoy(['affected', '--workspace', plain, '--base', 'main', '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^convoy: .*is not an Nx workspace \(no nx\.json\).*\[WORKSPACE_ERROR\]\n$/);
    expect(result.stderr).toContain(plain);
  }, CASE_TIMEOUT);
});
