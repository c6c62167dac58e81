// Invalid input is a usage error (exit code 2) with a message that says what to do; a kubeconfig that
// is broken names its file and field; a repository with no commits is said to have none.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { runCli } from '../../../electron/cli/main.js';
import { defaultCliContext } from '../../../electron/cli/context.js';
import { loadKubeConfig } from '../../../electron/adapters/kube/kubeconfig.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-invalid-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    ...defaultCliContext(),
    openApp: () => createApp({ dataDir: path.join(temp, 'data'), notice: () => {} }),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    interactive: false,
  });
  return { code, stdout, stderr };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });
}

/** A tiny Nx workspace in a git repository, committed unless `commit` is false. */
function workspace(name: string, commit = true): string {
  const dir = path.join(temp, name);
  fs.mkdirSync(path.join(dir, 'libs', 'a'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'nx.json'), '{}\n');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ws', private: true, workspaces: ['libs/*'] }));
  fs.writeFileSync(path.join(dir, 'libs', 'a', 'package.json'), JSON.stringify({ name: 'a', version: '1.0.0' }));
  git(dir, 'init', '-q', '-b', 'main');
  if (commit) {
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
  }
  return dir;
}

describe('invalid input exits 2', () => {
  it.each([['70000'], ['abc'], ['-1'], ['8080x']])('serve --port %s', async (port) => {
    const result = await cli(['serve', '--port', port]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid --port ${JSON.stringify(port)}: use an integer from 0 to 65535`);
  });

  it('refuses --uncommitted with --head instead of dropping --head', async () => {
    const dir = workspace('both');
    for (const command of ['affected', 'build']) {
      const result = await cli([command, '--workspace', dir, '--uncommitted', '--head', 'main']);
      expect(result.code, `${command}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain('uncommitted (the working tree against HEAD) cannot be combined with head; drop one of them');
      expect(result.stderr).toContain('INVALID_INPUT');
    }
  }, 60_000);
});

describe('a repository with no commits', () => {
  it('is said plainly, not as an unknown revision', async () => {
    const dir = workspace('empty', false);
    const result = await cli(['affected', '--workspace', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`has no commits yet — commit your files first`);
    expect(result.stderr).not.toContain('Unknown git revision');
  }, 60_000);
});

describe('kubeconfig errors name the file and the field', () => {
  const write = (name: string, text: string) => {
    const file = path.join(temp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('a file that is not a kubeconfig', () => {
    const notYaml = write('kc-not-yaml', 'clusters: [\n  - name: x\n   bad: [\n');
    expect(() => loadKubeConfig('x', notYaml)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`kubeconfig ${notYaml} cannot be parsed as YAML`) }));
    const text = write('kc-string', 'just some words\n');
    expect(() => loadKubeConfig('x', text)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: `kubeconfig ${text} is not a kubeconfig: its top level is a string, not a mapping with clusters, users and contexts` }),
    );
    const badList = write('kc-bad-list', 'clusters: {name: c}\n');
    expect(() => loadKubeConfig('x', badList)).toThrow(expect.objectContaining({ message: `kubeconfig ${badList}: field "clusters" must be a list` }));
  });

  it('a cluster whose server is not a URL', () => {
    const file = write(
      'kc-bad-server',
      ['clusters: [{name: c1, cluster: {server: "127.0.0.1 6443"}}]', 'users: [{name: u1, user: {token: t0ken}}]', 'contexts: [{name: one, context: {cluster: c1, user: u1}}]'].join('\n'),
    );
    expect(() => loadKubeConfig('one', file)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: `kubeconfig ${file}: clusters[name="c1"].cluster.server "127.0.0.1 6443" is not an https:// (or http://) URL; fix the server address`,
      }),
    );
  });
});
