// The project graph cache, keyed by everything that shapes the graph: the HEAD commit, the content
// identity (size, mtime) of every dirty or untracked path, the Nx that built it, and this format.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WorkspaceGraph } from '../../../shared/domain.js';
import { workingTreeState } from '../git/git.js';
import type { HostGraph } from './nx-host-client.js';

const FORMAT = 1;

export interface CachedGraph {
  key: string;
  root: string;
  graph: HostGraph;
}

/** One `git status` plus a stat per dirty path; also answers the HEAD commit it saw. */
export async function graphKey(root: string, nxDir: string, nxVersion: string, options: { background?: boolean } = {}): Promise<{ key: string; head: string | null }> {
  const state = await workingTreeState(root, { optionalLocks: !options.background });
  const hash = createHash('sha256');
  hash.update(`convoy-graph-cache:${FORMAT}\0${root}\0${nxDir}\0${nxVersion}\0${state.head ?? 'no-commit'}\0`);
  for (const file of state.dirty.filter((f) => !/(^|\/)\.nx\/(cache|workspace-data)(\/|$)/.test(f)).sort()) {
    let identity = 'deleted';
    try {
      const stat = fs.statSync(path.join(root, file));
      identity = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      // Deleted in the working tree: the path alone marks it.
    }
    hash.update(`${file}\0${identity}\0`);
  }
  return { key: hash.digest('hex'), head: state.head };
}

export function cacheFile(cacheDir: string, root: string): string {
  const id = createHash('sha256').update(root).digest('hex').slice(0, 24);
  return path.join(cacheDir, `${id}.json`);
}

export function readCachedGraph(cacheDir: string, root: string, key: string): CachedGraph | null {
  try {
    const entry = JSON.parse(fs.readFileSync(cacheFile(cacheDir, root), 'utf8')) as CachedGraph;
    return entry.key === key && entry.root === root && WorkspaceGraph.shape.projects.safeParse(entry.graph?.projects).success ? entry : null;
  } catch {
    return null; // Missing or unreadable: the cache is only ever an optimisation.
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a cache entry. */
export function writeCachedGraph(cacheDir: string, entry: CachedGraph): void {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const file = cacheFile(cacheDir, entry.root);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(entry));
    fs.renameSync(temp, file);
  } catch {
    // A read-only cache dir costs speed, never correctness.
  }
}

/** Removes the entry for root if it still holds key (a newer entry is left alone). */
export function dropCachedGraph(cacheDir: string, root: string, key: string): void {
  try {
    const file = cacheFile(cacheDir, root);
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown };
    if (entry.key === key) fs.rmSync(file, { force: true });
  } catch {
    // Nothing there, or unreadable: nothing that could be served.
  }
}
