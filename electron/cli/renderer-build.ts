// `convoy serve` right after `npm ci`: the console's pages are not built yet (dist/ is not committed).
// In a source checkout the CLI builds them once, with the project's own Vite, before serving, so the
// documented command works as typed; a packaged app ships them built and never gets here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface RendererBuildOptions {
  /** Where the built console lives (index.html and assets/). */
  rendererDir: string;
  /** The checkout holding build/vite.renderer.config.ts and node_modules/vite. */
  repoRoot: string;
  /** Runs a command to the end; resolves with its exit code (replaceable in tests). */
  run?: (command: string, args: string[], cwd: string) => Promise<number>;
  note: (text: string) => void;
}

const runToEnd = (command: string, args: string[], cwd: string) =>
  new Promise<number>((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => resolve(code ?? -1));
  });

/** Builds the console when it is missing and the sources and Vite are there; says what it did. */
export async function ensureRendererBuilt(options: RendererBuildOptions): Promise<'present' | 'built' | 'failed' | 'unavailable'> {
  if (existsSync(path.join(options.rendererDir, 'index.html'))) return 'present';
  const config = path.join(options.repoRoot, 'build', 'vite.renderer.config.ts');
  const vite = path.join(options.repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(config) || !existsSync(vite)) return 'unavailable';
  options.note('convoy: building the console once (first start after install)…\n');
  const code = await (options.run ?? runToEnd)(process.execPath, [vite, 'build', '--config', config], options.repoRoot);
  if (code === 0 && existsSync(path.join(options.rendererDir, 'index.html'))) return 'built';
  options.note(`convoy: the console build failed (exit ${code}); run npm run build:renderer to see why\n`);
  return 'failed';
}
