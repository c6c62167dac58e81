// The convoy CLI through the real bin (bin/convoy.mjs → tsx → electron/cli/main.ts), as a user runs it.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'convoy.mjs');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function convoy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: temp }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('convoy CLI', () => {
  it('prints its version', async () => {
    const result = await convoy(['--version']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('lists exactly the implemented subcommands in --help', async () => {
    const result = await convoy(['--help']);
    expect(result.code).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}(\w+)(?: \[options\])?\s/gm)].map((m) => m[1]);
    expect(commands).toEqual(['info', 'affected', 'build', 'plan', 'diff', 'status', 'revisions', 'rollback', 'release', 'undo', 'approve', 'reject', 'cancel', 'history', 'show', 'recover', 'rehearse', 'serve', 'help']);
  });

  it('exits 2 with a hint on an unknown subcommand or option', async () => {
    const unknown = await convoy(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
    const badOption = await convoy(['info', '--nope']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("unknown option '--nope'");
  });

  it('exits 2 when the input fails its schema', async () => {
    const result = await convoy(['affected', '--base', '-x', '--data', path.join(temp, 'data')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INVALID_INPUT');
  });

  it('info --json reports the data dir it was given and creates the store there', async () => {
    const dataDir = path.join(temp, 'data');
    const result = await convoy(['info', '--json', '--data', dataDir]);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout) as { dataDir: string; version: string; storeSchemaVersion: number; docker: { reachable: boolean } };
    expect(info).toMatchObject({ dataDir, version: pkg.version, transport: 'in-process' });
    expect(info.storeSchemaVersion).toBeGreaterThan(0);
    expect(typeof info.docker.reachable).toBe('boolean');
    expect(fs.existsSync(path.join(dataDir, 'convoy.db'))).toBe(true);
  });

  it('uses CONVOY_HOME when no --data is given', async () => {
    const home = path.join(temp, 'home');
    const result = await convoy(['info', '--json'], { CONVOY_HOME: home });
    expect(JSON.parse(result.stdout)).toMatchObject({ dataDir: home });
  });

  it('refuses an unusable data dir with a clear message and exit 1', async () => {
    const file = path.join(temp, 'a-file');
    fs.writeFileSync(file, 'not a directory');
    const result = await convoy(['info', '--data', path.join(file, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/STORE_UNWRITABLE/);
    expect(result.stderr).toContain(path.join(file, 'data'));
  });

  it('names the file when Nx cannot read a project configuration', async () => {
    const ws = path.join(temp, 'broken-ws');
    fs.mkdirSync(path.join(ws, 'apps', 'a'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'nx.json'), '{}');
    fs.writeFileSync(path.join(ws, 'package.json'), '{"name":"broken","private":true}');
    fs.writeFileSync(path.join(ws, 'apps', 'a', 'project.json'), '{"name": "a", oops');
    fs.writeFileSync(path.join(ws, '.gitignore'), 'node_modules\n');
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(ws, 'node_modules'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: ws });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'broken');
    const result = await convoy(['affected', '--workspace', ws, '--base', 'main', '--data', path.join(temp, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WORKSPACE_ERROR');
    expect(result.stderr).toContain('apps/a/project.json');
  });
});
