// Installs one nx release from the registry into a cache shared by every run on this machine, keyed by
// version (CONVOY_NX_COMPAT_CACHE, default ~/.cache/convoy/nx-compat/<version>). An install goes to a
// temporary directory first and is renamed into place, so a half-finished one is never taken for a
// cached one.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Per supported major, the release the suite checks. 23.1 lacks affected-projects.js (23.3 added it). */
export const COMPAT_VERSIONS = { 20: '20.7.0', 21: '21.6.4', 22: '22.6.1', 23: '23.1.3', 24: '24.0.7' } as const;

export function compatCacheDir(): string {
  return process.env.CONVOY_NX_COMPAT_CACHE ?? path.join(os.homedir(), '.cache', 'convoy', 'nx-compat');
}

function installed(dir: string, version: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'nx', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version === version;
  } catch {
    return false;
  }
}

/** The node_modules holding nx@version, installing it when the cache lacks it. */
export async function installNx(version: string): Promise<string> {
  const cache = compatCacheDir();
  const dir = path.join(cache, version);
  if (installed(dir, version)) return path.join(dir, 'node_modules');
  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cache, `.installing-${version}-`));
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'nx-compat', private: true }));
  const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `nx@${version}`], {
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-4000)));
    child.stderr.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-4000)));
    child.on('error', (err) => resolve({ code: -1, text: err.message }));
    child.on('close', (code) => resolve({ code, text }));
  });
  if (output.code !== 0 || !installed(tmp, version)) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install nx@${version} failed (exit ${output.code}): ${output.text.trim()}`);
  }
  // Another test file (they run in parallel) may have put its own install in place meanwhile, and may
  // be using it: keep that one. Only a broken leftover is replaced.
  if (installed(dir, version)) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return path.join(dir, 'node_modules');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!installed(dir, version)) throw err;
  }
  return path.join(dir, 'node_modules');
}
