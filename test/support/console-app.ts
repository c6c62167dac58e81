// The real in-process Convoy app for the console's tests (test/unit/renderer/real-app.ts loads it):
// a temp data dir, a fake Docker Engine port, and optionally the bundled example workspace copied
// into a scratch git repository, so the console talks to the real dispatcher, Nx and git.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../electron/app.js';
import { createClient } from '../../shared/client.js';
import { createScriptedBuilder } from './scripted-builder.js';
import type { ConsoleApp, ConsoleAppOptions } from '../unit/renderer/real-app.js';

// A string path: under jsdom the global URL is not Node's, which fileURLToPath refuses.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Convoy Test', '-c', 'user.email=test@convoy.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    stdio: 'pipe',
  });
}

/** examples/shop as committed (no node_modules, .nx or dist), in a fresh repository on `main`. */
function copyExample(into: string): string {
  const source = path.join(repoRoot, 'examples', 'shop');
  const dir = path.join(into, 'shop');
  fs.cpSync(source, dir, { recursive: true, filter: (from) => !['node_modules', '.nx', 'dist'].includes(path.basename(from)) });
  // The bundled nx resolves from this checkout; kept out of git like a real install.
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  git(dir, 'init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

export async function startConsoleApp(options: ConsoleAppOptions): Promise<ConsoleApp> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-console-'));
  const dataDir = path.join(base, 'data');
  const workspaceDir = options.example ? copyExample(base) : null;
  const builder = createScriptedBuilder(options.builds ?? {});
  const app = createApp({ dataDir, docker: { status: async () => options.docker }, builder });
  return {
    dataDir: app.dataDir,
    workspaceDir,
    channel: app.channel('websocket'),
    read(rel) {
      if (!workspaceDir) throw new Error('startConsoleApp({ example: true }) first: there is no workspace to read');
      return fs.readFileSync(path.join(workspaceDir, rel), 'utf8');
    },
    write(files) {
      if (!workspaceDir) throw new Error('startConsoleApp({ example: true }) first: there is no workspace to write into');
      for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(workspaceDir, rel), content);
    },
    releaseBuild: (project) => builder.release(project),
    async buildFromAnotherClient(input) {
      const other = createClient(app.channel());
      try {
        await other.run('build.run', input);
      } finally {
        other.close();
      }
    },
    async close() {
      await app.close();
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
