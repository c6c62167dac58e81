// bin/convoy.mjs runs the prebuilt bundle only while every source it was built from is unchanged
// (build/cli-bundle.mjs). Each case builds a small checkout in a temp folder: the real bin and the real
// check, a stand-in bundle and a stand-in source entry, each printing where it ran from.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without type declarations
import { bundleState, inputsManifest } from '../../../build/cli-bundle.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A checkout with the real bin and check, `electron/cli/main.ts` and a bundle built "now" from it. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bundle-'));
  dirs.push(root);
  for (const file of ['bin/convoy.mjs', 'build/cli-bundle.mjs']) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(REPO, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  fs.mkdirSync(path.join(root, 'electron', 'cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'electron/cli/main.ts'), "export async function main(): Promise<void> { process.stdout.write('from source\\n'); }\n");
  fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dist/cli/main.mjs'), "export async function main() { process.stdout.write('from bundle\\n'); }\n");
  const manifest = inputsManifest(root, ['electron/cli/main.ts'], Date.now() + 60_000);
  fs.writeFileSync(path.join(root, 'dist/cli/inputs.json'), JSON.stringify(manifest));
  return root;
}

function convoy(root: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONVOY_')));
  const result = spawnSync(process.execPath, [path.join(root, 'bin/convoy.mjs')], { env: { ...clean, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the CLI bundle', () => {
  it('runs the bundle, silently, while its sources are unchanged', () => {
    const root = checkout();
    expect(bundleState(root)).toMatchObject({ ok: true });
    expect(convoy(root)).toEqual({ code: 0, stdout: 'from bundle\n', stderr: '' });
  });

  it('a source edited after the build: runs the sources through tsx, with a one-line note naming the file', () => {
    const root = checkout();
    fs.appendFileSync(path.join(root, 'electron/cli/main.ts'), '// edited\n');
    expect(bundleState(root)).toEqual({ ok: false, reason: 'the CLI bundle is older than the sources (electron/cli/main.ts changed)' });
    const run = convoy(root);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('from source\n');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('electron/cli/main.ts changed');
    expect(run.stderr).toContain('npm run build:cli');
  });

  it('a same-size edit that only changes the mtime still counts as stale', () => {
    const root = checkout();
    const file = path.join(root, 'electron/cli/main.ts');
    fs.utimesSync(file, new Date(), new Date(Date.now() - 3_600_000));
    expect(bundleState(root)).toMatchObject({ ok: false });
  });

  it('a removed source, a missing bundle or a manifest of another format: never the bundle', () => {
    const removed = checkout();
    fs.rmSync(path.join(removed, 'electron/cli/main.ts'));
    expect(bundleState(removed)).toEqual({ ok: false, reason: 'the CLI bundle is older than the sources (electron/cli/main.ts is gone)' });

    const missing = checkout();
    fs.rmSync(path.join(missing, 'dist'), { recursive: true });
    expect(bundleState(missing)).toEqual({ ok: false, reason: 'the CLI bundle (dist/cli) is missing' });
    const run = convoy(missing);
    expect(run).toMatchObject({ code: 0, stdout: 'from source\n' });
    expect(run.stderr).toContain('the CLI bundle (dist/cli) is missing');

    const other = checkout();
    fs.writeFileSync(path.join(other, 'dist/cli/inputs.json'), JSON.stringify({ format: 99, inputs: {} }));
    expect(bundleState(other)).toEqual({ ok: false, reason: 'the CLI bundle (dist/cli) is incomplete' });
  });

  it('a file changed while the bundle was being built is recorded so that it never matches', () => {
    const root = checkout();
    const manifest = inputsManifest(root, ['electron/cli/main.ts'], 0);
    fs.writeFileSync(path.join(root, 'dist/cli/inputs.json'), JSON.stringify(manifest));
    expect(bundleState(root)).toMatchObject({ ok: false });
  });

  it('CONVOY_CLI_BUNDLE=required (the test suite) refuses to fall back; CONVOY_FROM_SOURCE=1 runs the sources without a note', () => {
    const root = checkout();
    fs.appendFileSync(path.join(root, 'electron/cli/main.ts'), '// edited\n');
    const refused = convoy(root, { CONVOY_CLI_BUNDLE: 'required' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('CONVOY_CLI_BUNDLE=required');

    const fresh = checkout();
    expect(convoy(fresh, { CONVOY_FROM_SOURCE: '1' })).toEqual({ code: 0, stdout: 'from source\n', stderr: '' });
  });
});
