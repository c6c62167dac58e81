// The bad inputs of the affected issue, through the real CLI where a user meets them: each gives a
// clear message naming the cause and what to do, and a non-zero exit; a detached HEAD simply works.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  createWorkspace,
  git,
  nxAffected,
  packageTemplate,
  removeWorkspaces,
  tempDir,
} from './fixtures.js';

afterAll(removeWorkspaces);

const bin = path.join(REPO_ROOT, 'bin', 'convoy.mjs');

function convoy(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  delete env.NX_BASE;
  delete env.NX_HEAD;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args, '--data', path.join(cwd, '..', 'convoy-data')], { cwd, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('affected: bad input', () => {
  it('not a git repository', async () => {
    const dir = path.join(tempDir('nogit'), 'ws');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'nx.json'), '{}');
    const result = await convoy(['affected', '--workspace', dir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not inside a git repository');
    expect(result.stderr).toContain('GIT_ERROR');
  });

  it('not a workspace Nx understands', async () => {
    const dir = tempDir('nonx');
    const result = await convoy(['affected', '--workspace', dir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not an Nx workspace \(no nx\.json\) — open the folder that holds nx\.json/);
  });

  it('an unknown base ref, and a bad head', async () => {
    const ws = createWorkspace('refs', packageTemplate());
    const base = await convoy(['affected', '--workspace', ws.dir, '--base', 'no-such-branch'], ws.dir);
    expect(base.code).toBe(1);
    expect(base.stderr).toContain('Unknown git revision "no-such-branch"');
    const head = await convoy(['affected', '--workspace', ws.dir, '--base', 'main', '--head', 'nope'], ws.dir);
    expect(head.code).toBe(1);
    expect(head.stderr).toContain('Unknown git revision "nope"');
  });

  it('a base whose merge-base a shallow clone cut off', async () => {
    const ws = createWorkspace('shallow-origin', packageTemplate());
    ws.branch('feature');
    ws.commit('feature work', { 'libs/util/src/feature.js': 'export const f = 1;\n' });
    ws.checkout('main');
    ws.commit('main moves on', { 'libs/util/src/main.js': 'export const m = 1;\n' });
    const clone = path.join(tempDir('shallow'), 'ws');
    git(path.dirname(clone), 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${ws.dir}`, clone);
    git(clone, 'fetch', '-q', '--depth', '1', 'origin', 'main:main');
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    fs.appendFileSync(path.join(clone, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
    const result = await convoy(['affected', '--workspace', clone, '--base', 'main', '--head', 'HEAD'], clone);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('shallow clone');
    expect(result.stderr).toContain('git fetch --unshallow');
  });

  it('a detached HEAD works like any other head', async () => {
    const ws = createWorkspace('detached', packageTemplate());
    ws.branch('feature');
    ws.commit('change util', { 'libs/util/src/detached.js': 'export const d = 1;\n' });
    ws.checkout(ws.head()); // detach
    expect(ws.git('status', '--porcelain=v2', '--branch')).toContain('# branch.head (detached)');
    const result = await convoy(['affected', '--workspace', ws.dir, '--base', 'main', '--json'], ws.dir);
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { projects: { name: string }[] }).projects.map((p) => p.name).sort();
    expect(names).toEqual(nxAffected(ws.dir, ['--base=main']));
    expect(names).toContain('@acme/util');
  });

  it('--uncommitted works even when the default base branch does not exist, as in nx', async () => {
    const ws = createWorkspace('trunk', packageTemplate());
    ws.git('branch', '-m', 'main', 'trunk');
    fs.appendFileSync(path.join(ws.dir, 'libs/util/index.js'), '\n// edited\n');
    const result = await convoy(['affected', '--workspace', ws.dir, '--uncommitted', '--json'], ws.dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { base: string | null; projects: { name: string }[] };
    expect(json.base).toBeNull();
    expect(json.projects.map((p) => p.name).sort()).toEqual(nxAffected(ws.dir, ['--uncommitted']));
  });

  it('a broken project.json or package.json names the file', async () => {
    const ws = createWorkspace('broken', packageTemplate());
    fs.writeFileSync(path.join(ws.dir, 'libs/util/package.json'), '{ "name": "@acme/util", ');
    const result = await convoy(['affected', '--workspace', ws.dir, '--uncommitted'], ws.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('libs/util/package.json');
    expect(result.stderr).toContain('WORKSPACE_ERROR');
  });

  it('a dependency cycle is refused with the cycle named, unless --allow-cycles', async () => {
    const ws = createWorkspace('cycle', packageTemplate());
    // In the template core depends on util; util depending on core closes a cycle.
    ws.editJson<{ dependencies?: Record<string, string> }>('libs/util/package.json', (json) => {
      json.dependencies = { ...(json.dependencies ?? {}), '@acme/core': '*' };
    });
    ws.commit('make a cycle');
    const refused = await convoy(['affected', '--workspace', ws.dir, '--base', 'HEAD~1'], ws.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GRAPH_CYCLE');
    expect(refused.stderr).toMatch(/@acme\/core → @acme\/util → @acme\/core/);
    expect(refused.stderr).toContain('--allow-cycles');
    const allowed = await convoy(['affected', '--workspace', ws.dir, '--base', 'HEAD~1', '--allow-cycles', '--json'], ws.dir);
    expect(allowed.code).toBe(0);
    const names = (JSON.parse(allowed.stdout) as { projects: { name: string }[] }).projects.map((p) => p.name).sort();
    expect(names).toEqual(nxAffected(ws.dir, ['--base=HEAD~1']));
  });
});
