// Which nx reads the workspace (issue 11): an nx outside 20–24 is refused with a message naming the
// versions that work and the way to use the bundled nx (`--nx bundled`, convoy.yaml `nx: bundled`),
// never a stack trace; an nx inside the range that lacks the internals its adapter expects says so,
// without Node's "Require stack".
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convoy } from './cli-run.js';
import { type FileMap, git, packageTemplate, removeWorkspaces, tempDir, writeFiles } from './fixtures.js';

const CASE_TIMEOUT = 60_000;

/** A committed workspace whose node_modules holds only an nx package.json of `version` (no code). */
function workspaceWithNx(name: string, version: string, extra: FileMap = {}): string {
  const dir = path.join(tempDir(name), 'ws');
  fs.mkdirSync(dir);
  writeFiles(dir, { ...packageTemplate(), ...extra, 'node_modules/nx/package.json': { name: 'nx', version } });
  git(dir, 'init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

describe('the workspace\'s own nx version', () => {
  let data: string;
  beforeAll(() => {
    data = tempDir('nx-version-data');
  });
  afterAll(() => removeWorkspaces());

  it('nx 19: exit 1, NX_UNSUPPORTED naming 20 to 24 and both ways to the bundled nx, no stack', async () => {
    const dir = workspaceWithNx('nx19', '19.8.4');
    const result = await convoy(['affected', '-w', dir, '--base', 'main', '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[NX_UNSUPPORTED]');
    expect(result.stderr).toContain('19.8.4');
    expect(result.stderr).toContain('nx 20 to 24');
    expect(result.stderr).toContain('--nx bundled');
    expect(result.stderr).toContain('nx: bundled');
    expect(result.stderr).not.toMatch(/Require stack|\n\s+at /);
  }, CASE_TIMEOUT);

  it('nx 19 with --nx bundled: Convoy\'s nx reads the graph and answers', async () => {
    const dir = workspaceWithNx('nx19-flag', '19.8.4');
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFiles(dir, { 'libs/util/index.js': "export const util = 'v2';\n" });
    git(dir, 'commit', '-qam', 'util');
    const result = await convoy(['affected', '-w', dir, '--base', 'main', '--head', 'feature', '--nx', 'bundled', '--json', '--data', data]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { projects: Array<{ name: string }> }).projects.map((p) => p.name);
    expect(names).toEqual(['@acme/core', '@acme/util', '@acme/web']);
  }, CASE_TIMEOUT);

  it('nx 19 with `nx: bundled` in convoy.yaml: the same, without a flag', async () => {
    const dir = workspaceWithNx('nx19-config', '19.8.4', { 'convoy.yaml': 'nx: bundled\n' });
    writeFiles(dir, { 'libs/ui/index.js': "export const ui = 'v2';\n" });
    const result = await convoy(['affected', '-w', dir, '--uncommitted', '--json', '--data', data]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { projects: Array<{ name: string }> }).projects.map((p) => p.name);
    expect(names).toEqual(['@acme/admin', '@acme/ui', '@acme/web']);
  }, CASE_TIMEOUT);

  it('an nx 22 without its internals: exit 1, NX_UNSUPPORTED saying which adapter and what to do, no Require stack', async () => {
    const dir = workspaceWithNx('nx22-broken', '22.0.0');
    const result = await convoy(['affected', '-w', dir, '--base', 'main', '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[NX_UNSUPPORTED]');
    expect(result.stderr).toContain("Convoy's adapter for Nx 22");
    expect(result.stderr).toContain('--nx bundled');
    expect(result.stderr).not.toContain('Require stack');
  }, CASE_TIMEOUT);

  it('--nx with an unknown value: exit 2', async () => {
    const dir = workspaceWithNx('nx-bad-flag', '24.0.0');
    const result = await convoy(['affected', '-w', dir, '--nx', 'latest', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nx');
  }, CASE_TIMEOUT);
});

describe('argument parity with nx show projects --affected', () => {
  let dir: string;
  let data: string;
  beforeAll(() => {
    dir = workspaceWithNx('parity', '24.0.0');
    data = tempDir('parity-data');
  });

  // The full table of nx's rules is in test/unit/shared/affected-args.test.ts and, against each
  // version's own nx, in test/integration/nx-compat; here the CLI's exit code and message.
  const refused: Array<[string, string[]]> = [
    ['--base with --uncommitted', ['--base', 'main', '--uncommitted']],
    ['--head without --base', ['--head', 'main']],
  ];
  for (const [label, args] of refused) {
    it(`${label}: exit 2 with what to drop`, async () => {
      const result = await convoy(['affected', '-w', dir, ...args, '--data', data]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/cannot be combined|needs a base/);
      expect(result.stderr).toContain('[INVALID_INPUT]');
    }, CASE_TIMEOUT);
  }
});
