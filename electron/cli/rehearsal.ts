// The rehearsal workspace of `convoy rehearse`: a git copy of the bundled example (examples/shop) in the
// data directory, committed on `main`, with a scripted change (lib-pricing) committed on the branch
// `rehearsal`. Made once and reused, so a second rehearsal releases the same commit: nothing to build,
// nothing to apply.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root.js';

const run = promisify(execFile);
const runGit = (cwd: string, args: string[]) => run('git', args, { cwd });

export const EXAMPLE_DIR = path.join(REPO_ROOT, 'examples', 'shop');
export const REHEARSAL_BASE = 'main';
export const REHEARSAL_BRANCH = 'rehearsal';
const CHANGED_FILE = 'libs/lib-pricing/src/price.js';
const GIT_ID = ['-c', 'user.name=Convoy rehearsal', '-c', 'user.email=rehearsal@convoy.invalid', '-c', 'commit.gpgsign=false'];

export function rehearsalDir(dataDir: string): string {
  return path.join(dataDir, 'rehearsal', 'shop');
}

/** Makes the rehearsal workspace unless it is there; says which. */
export async function prepareRehearsal(dir: string): Promise<{ created: boolean }> {
  if (existsSync(path.join(dir, '.git'))) return { created: false };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.nx|dist)([\\/]|$)/.test(path.relative(EXAMPLE_DIR, src)) });
  await runGit(dir, ['init', '-q', '-b', REHEARSAL_BASE]);
  await runGit(dir, ['add', '-A']);
  await runGit(dir, [...GIT_ID, 'commit', '-q', '-m', 'shop: the bundled example']);
  await runGit(dir, ['checkout', '-q', '-b', REHEARSAL_BRANCH]);
  appendFileSync(path.join(dir, CHANGED_FILE), '\n// Rehearsal change: prices are rounded half up to the cent.\n');
  await runGit(dir, [...GIT_ID, 'commit', '-q', '-a', '-m', 'lib-pricing: rounding note (rehearsal)']);
  return { created: true };
}

/** The services of the example (folders under services/ with a convoy block). */
export function rehearsalServices(dir: string): string[] {
  const root = path.join(dir, 'services');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((name) => {
    try {
      return 'convoy' in (JSON.parse(readFileSync(path.join(root, name, 'package.json'), 'utf8')) as object);
    } catch {
      return false;
    }
  });
}
