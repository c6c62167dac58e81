import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRendererBuilt } from '../../../electron/cli/renderer-build.js';

const dirs: string[] = [];
function checkout(withVite: boolean) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'convoy-renderer-build-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'build'));
  writeFileSync(path.join(root, 'build', 'vite.renderer.config.ts'), '');
  if (withVite) {
    mkdirSync(path.join(root, 'node_modules', 'vite', 'bin'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '');
  }
  return { root, rendererDir: path.join(root, 'dist', 'renderer') };
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ensureRendererBuilt', () => {
  it('builds a missing console once with the checkout’s Vite, and says so', async () => {
    const { root, rendererDir } = checkout(true);
    const runs: string[][] = [];
    const notes: string[] = [];
    const run = async (_command: string, args: string[]) => {
      runs.push(args);
      mkdirSync(rendererDir, { recursive: true });
      writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
      return 0;
    };
    expect(await ensureRendererBuilt({ rendererDir, repoRoot: root, run, note: (t) => notes.push(t) })).toBe('built');
    expect(runs).toEqual([[path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(root, 'build/vite.renderer.config.ts')]]);
    expect(notes.join('')).toContain('building the console');
    // Built now: a second start runs nothing.
    expect(await ensureRendererBuilt({ rendererDir, repoRoot: root, run, note: (t) => notes.push(t) })).toBe('present');
    expect(runs).toHaveLength(1);
  });

  it('reports a failed build with the command to see why', async () => {
    const { root, rendererDir } = checkout(true);
    const notes: string[] = [];
    expect(await ensureRendererBuilt({ rendererDir, repoRoot: root, run: async () => 1, note: (t) => notes.push(t) })).toBe('failed');
    expect(notes.join('')).toContain('npm run build:renderer');
  });

  it('does nothing without Vite (an installed app ships the console built)', async () => {
    const { root, rendererDir } = checkout(false);
    let ran = false;
    expect(await ensureRendererBuilt({ rendererDir, repoRoot: root, run: async () => ((ran = true), 0), note: () => {} })).toBe('unavailable');
    expect(ran).toBe(false);
  });
});
