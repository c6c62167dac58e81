// Git, through the git binary: touched files between refs (the same questions Nx asks), and a cheap
// fingerprint of the working tree for the graph cache.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConvoyError } from '../../../shared/errors.js';
import type { GitPort } from '../../core/ports/git.js';

const MAX_BUFFER = 64 * 1024 * 1024;

export class GitError extends ConvoyError {
  constructor(message: string) {
    super('GIT_ERROR', message);
  }
}

export function runGit(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: MAX_BUFFER, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr || err.message).trim().split('\n').slice(0, 3).join(' ');
        reject(new GitError(`git ${args.slice(0, 3).join(' ')} failed in ${cwd}: ${detail}`));
      } else resolve(stdout);
    });
  });
}

function splitNul(output: string): string[] {
  return output.split('\0').filter((entry) => entry.length > 0);
}

/** Refs go to git as arguments; refuse anything that could be read as an option. */
export function assertRef(ref: string): void {
  // eslint-disable-next-line no-control-regex
  if (!ref || ref.length > 256 || ref.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(ref)) {
    throw new GitError(`"${ref}" is not a valid git revision`);
  }
}

export async function repoRoot(dir: string): Promise<string> {
  try {
    return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new GitError(`${dir} is not inside a git repository — Convoy compares commits to find affected projects`);
  }
}

/** False in a repository where nothing was committed yet (HEAD names an unborn branch). */
export async function hasCommits(cwd: string): Promise<boolean> {
  try {
    await runGit(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return true;
  } catch {
    return false;
  }
}

export async function revParse(cwd: string, ref: string): Promise<string> {
  assertRef(ref);
  try {
    return (await runGit(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    // In a fresh repository every ref is unknown; saying so beats naming the one that was asked for.
    if (!(await hasCommits(cwd))) {
      throw new GitError(`The git repository at ${cwd} has no commits yet — commit your files first: Convoy compares commits to find affected projects`);
    }
    throw new GitError(`Unknown git revision "${ref}" in ${cwd} — fetch it or name an existing branch, tag or commit`);
  }
}

/** Nx's rule, which never fails: merge-base of base and head, else the fork point, else base itself. */
export async function mergeBaseLenient(cwd: string, base: string, head: string): Promise<{ ref: string; fellBack: boolean }> {
  assertRef(base);
  assertRef(head);
  try {
    return { ref: (await runGit(cwd, ['merge-base', base, head])).trim(), fellBack: false };
  } catch {
    try {
      return { ref: (await runGit(cwd, ['merge-base', '--fork-point', base, head])).trim(), fellBack: false };
    } catch {
      return { ref: base, fellBack: true };
    }
  }
}

/**
 * Nx's rule, but refusing what would silently give a wrong answer: unknown refs, and a merge-base
 * cut off by a shallow clone (comparing with base itself would count the base branch's own changes).
 */
export async function mergeBase(cwd: string, base: string, head: string): Promise<string> {
  const found = await mergeBaseLenient(cwd, base, head);
  if (!found.fellBack) return found.ref;
  await revParse(cwd, base);
  await revParse(cwd, head);
  if ((await runGit(cwd, ['rev-parse', '--is-shallow-repository'])).trim() === 'true') {
    throw new GitError(
      `The merge-base of ${base} and ${head} is not in this shallow clone, so the changes between them are unknown — ` +
        'run `git fetch --unshallow` (in CI, check out with full history, e.g. fetch-depth: 0)',
    );
  }
  return base; // unrelated histories: like Nx, compare with base itself
}

/** Files changed between two revisions, relative to cwd (renames as delete + add, like Nx). */
export async function filesBetween(cwd: string, base: string, head: string): Promise<string[]> {
  assertRef(base);
  assertRef(head);
  return splitNul(await runGit(cwd, ['diff', '--name-only', '--no-renames', '--relative', '-z', base, head]));
}

export async function uncommittedFiles(cwd: string): Promise<string[]> {
  return splitNul(await runGit(cwd, ['diff', '--name-only', '--no-renames', '--relative', '-z', 'HEAD', '.']));
}

export async function untrackedFiles(cwd: string): Promise<string[]> {
  return splitNul(await runGit(cwd, ['ls-files', '--others', '--exclude-standard', '-z']));
}

/** Uncommitted and untracked files in one status (what uncommittedFiles + untrackedFiles return together). */
export async function workingTreeChanges(cwd: string): Promise<string[]> {
  return [...(await workingTreeState(cwd)).dirty];
}

/**
 * The working tree's state in one git call: the HEAD commit and every path whose content differs
 * from it (staged, unstaged or untracked).
 */
export function workingTreeState(cwd: string, options: { optionalLocks?: boolean } = {}): Promise<WorkingTree> {
  // One status per folder at a time: the graph's cache key and affected's touched files both ask while
  // a command starts, and a status walks the whole tree. A caller that asks while one is running gets
  // that one's answer (it started a moment ago); a later caller starts a new one, so nothing goes stale.
  const key = `${options.optionalLocks === false ? 'no-locks' : 'locks'}\0${cwd}`;
  let running = statusInFlight.get(key);
  if (!running) {
    running = readWorkingTree(cwd, options).finally(() => statusInFlight.delete(key));
    statusInFlight.set(key, running);
  }
  return running;
}

export interface WorkingTree {
  head: string | null;
  /** Paths relative to cwd; shared by concurrent callers, so never changed in place. */
  dirty: readonly string[];
}

const statusInFlight = new Map<string, Promise<WorkingTree>>();

async function readWorkingTree(cwd: string, options: { optionalLocks?: boolean }): Promise<WorkingTree> {
  // Finding untracked files walks every directory: most of a status on a big tree. Git's untracked
  // cache skips the directories whose mtime has not changed, but only for a status without a
  // pathspec and, for --untracked-files=all, only when that is also the configured mode. At the
  // repository's top level the pathspec "." adds nothing, so leave it out there.
  const topLevel = fs.existsSync(path.join(cwd, '.git'));
  const [out, prefix] = await Promise.all([
    runGit(cwd, [
      // A status refreshes the index (and stores the untracked cache) under index.lock, and a user's
      // own git command that runs meanwhile fails on that lock. Checks nobody waits for pass
      // optionalLocks: false: they read the caches but never take the lock.
      ...(options.optionalLocks === false ? ['--no-optional-locks'] : []),
      '-c', 'core.untrackedCache=true',
      '-c', 'status.showUntrackedFiles=all',
      'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--no-renames',
      ...(topLevel ? [] : ['.']),
    ]),
    topLevel ? '' : showPrefix(cwd),
  ]);
  const state = parseStatusV2(out);
  // Porcelain paths are relative to the repository root; callers want them relative to cwd.
  return prefix ? { head: state.head, dirty: state.dirty.map((file) => (file.startsWith(prefix) ? file.slice(prefix.length) : file)) } : state;
}

const prefixes = new Map<string, Promise<string>>();

/** cwd's path inside its repository ("" at the top level, else ending in "/"); fixed per folder. */
function showPrefix(cwd: string): Promise<string> {
  let prefix = prefixes.get(cwd);
  if (!prefix) {
    prefix = runGit(cwd, ['rev-parse', '--show-prefix']).then((out) => out.trim());
    prefix.catch(() => prefixes.delete(cwd));
    prefixes.set(cwd, prefix);
  }
  return prefix;
}

export function parseStatusV2(out: string): { head: string | null; dirty: string[] } {
  let head: string | null = null;
  const dirty: string[] = [];
  for (const entry of splitNul(out)) {
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (entry.startsWith('1 ')) dirty.push(fieldsAfter(entry, 8));
    else if (entry.startsWith('u ')) dirty.push(fieldsAfter(entry, 10));
    else if (entry.startsWith('? ')) dirty.push(entry.slice(2));
  }
  return { head, dirty };
}

/** The rest of a line after `count` space-separated fields (paths may contain spaces). */
function fieldsAfter(line: string, count: number): string {
  let index = 0;
  for (let i = 0; i < count; i++) index = line.indexOf(' ', index) + 1;
  return line.slice(index);
}

/** The git port (electron/core/ports/git.ts) over the git CLI. */
export const gitPort: GitPort = {
  async headCommit(root) {
    try {
      return await revParse(root, 'HEAD');
    } catch {
      return null;
    }
  },
  async headAuthor(root) {
    try {
      return (await runGit(root, ['log', '-1', '--format=%an <%ae>'])).trim() || null;
    } catch {
      return null;
    }
  },
  revParse,
  mergeBase,
  mergeBaseLenient,
  filesBetween,
  uncommittedFiles,
  untrackedFiles,
  workingTreeChanges,
};

/** GitPort over the git CLI (one shared object: it keeps no state). */
export function createGit(): GitPort {
  return gitPort;
}
