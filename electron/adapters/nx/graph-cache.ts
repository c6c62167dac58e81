// The persisted project graph, one file per workspace in the data directory: the graph, the git state
// it was read in (HEAD and the identity of every dirty path) and the file map behind it (per file the
// projects its imports reach, per project its implicitDependencies and its own config files), so a
// later process answers from it or updates it (incremental-graph.ts).
// A file that is cut short, corrupt, from another Convoy or another workspace is never trusted.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { WorkspaceGraph } from '../../../shared/domain.js';
import { workingTreeState } from '../git/git.js';
import type { HostGraph } from './nx-host-client.js';

const FORMAT = 2;

const Deps = z.record(z.string(), z.array(z.string()));

/** What the Nx host reports beside the graph (nx-host.cjs fileMapOf). */
export const HostFileMap = z.union([
  z.object({ incremental: z.literal(false), reason: z.string() }),
  z.object({
    incremental: z.literal(true),
    /** Every plugin's createNodes glob: a change to a matching file can reshape projects. */
    patterns: z.array(z.string()),
    /** The globs of Nx's built-in project.json and package.json plugins (among `patterns`). */
    configPatterns: z.array(z.string()),
    /** Per file, the projects its imports reach (files without any are left out). */
    files: Deps,
    /** Per project, the edges no file and no implicitDependencies explain, kept until a full rebuild. */
    fixed: Deps,
    /** Per project, its implicitDependencies as Nx expanded them; `!x` takes away the edge to x. */
    implicit: Deps,
    /** Per project that its own project.json/package.json alone describe, those files (the one-project re-read). */
    configs: Deps,
    /** What Nx's import resolver reads of each project (root, package metadata). */
    locatorProjects: z.record(z.string(), z.object({ root: z.string() }).passthrough()),
    externalNodes: z.record(z.string(), z.object({ type: z.literal('npm'), name: z.string(), data: z.object({}).passthrough() })),
  }),
]);
export type HostFileMap = z.infer<typeof HostFileMap>;

/** The file's envelope: small, checked field by field before the body is even parsed. */
const Envelope = z.object({
  format: z.literal(FORMAT),
  convoy: z.string(),
  root: z.string(),
  nxDir: z.string(),
  nxVersion: z.string(),
  key: z.string(),
  head: z.string().nullable(),
  /** Dirty or untracked paths when the graph was read, with their identity (size:mtime:inode or deleted). */
  dirty: z.record(z.string(), z.string()),
  /** The git blob id of each dirty file's content then, so a commit of exactly that content counts as no change. */
  blobs: z.record(z.string(), z.string()),
  /** sha256 of `body`: a file cut short or damaged anywhere is caught without validating 2,000 projects field by field. */
  sha256: z.string(),
  /** JSON of { graph, fileMap }, as this Convoy version wrote it. */
  body: z.string(),
});

export type PersistedGraph = Omit<z.infer<typeof Envelope>, 'sha256' | 'body'> & {
  graph: { nxVersion: string; projects: WorkspaceGraph['projects'] };
  fileMap: HostFileMap;
};

export interface WorkspaceState {
  key: string;
  head: string | null;
  /** Dirty or untracked paths (Nx's own data left out) and their identity. */
  dirty: Record<string, string>;
}

const NX_DATA = /(^|\/)\.nx\/(cache|workspace-data)(\/|$)/;

/** One `git status` plus a stat per dirty path: the state key, the HEAD commit and the dirty paths. */
export async function graphKey(root: string, nxDir: string, nxVersion: string, options: { background?: boolean } = {}): Promise<WorkspaceState> {
  const state = await workingTreeState(root, { optionalLocks: !options.background });
  const hash = createHash('sha256');
  hash.update(`convoy-graph-cache:${FORMAT}\0${root}\0${nxDir}\0${nxVersion}\0${state.head ?? 'no-commit'}\0`);
  const dirty: Record<string, string> = {};
  for (const file of state.dirty.filter((f) => !NX_DATA.test(f)).sort()) {
    let identity = 'deleted';
    try {
      const stat = fs.statSync(path.join(root, file));
      identity = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      // Deleted in the working tree: the path alone marks it.
    }
    dirty[file] = identity;
    hash.update(`${file}\0${identity}\0`);
  }
  return { key: hash.digest('hex'), head: state.head, dirty };
}

export function cacheFile(cacheDir: string, root: string): string {
  const id = createHash('sha256').update(root).digest('hex').slice(0, 24);
  return path.join(cacheDir, `${id}.json`);
}

/** The persisted graph of root, or why there is none to trust (`note`, absent when there is simply no file). */
export function readPersistedGraph(cacheDir: string, root: string, convoy: string): { entry: PersistedGraph | null; note?: string } {
  const file = cacheFile(cacheDir, root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { entry: null } : { entry: null, note: `could not read the persisted graph ${file} (${code ?? String(err)}); rebuilding it` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { entry: null, note: `the persisted graph ${file} is cut short or corrupt; ignored and rebuilt` };
  }
  const fields = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  if (fields.format !== FORMAT || (typeof fields.convoy === 'string' && fields.convoy !== convoy)) {
    const by = typeof fields.convoy === 'string' ? `Convoy ${fields.convoy}` : 'another Convoy version';
    return { entry: null, note: `the persisted graph ${file} was written by ${by} (this is ${convoy}); ignored and rebuilt` };
  }
  if (fields.root !== root) {
    return { entry: null, note: `the persisted graph ${file} belongs to another workspace (${String(fields.root)}); ignored and rebuilt` };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return { entry: null, note: `the persisted graph ${file} is malformed; ignored and rebuilt` };
  const { sha256, body: bodyText, ...rest } = envelope.data;
  if (createHash('sha256').update(bodyText).digest('hex') !== sha256) {
    return { entry: null, note: `the persisted graph ${file} is corrupt (its checksum does not match); ignored and rebuilt` };
  }
  let body: { graph?: { nxVersion?: unknown; projects?: unknown }; fileMap?: unknown };
  try {
    body = JSON.parse(bodyText) as typeof body;
  } catch {
    return { entry: null, note: `the persisted graph ${file} is malformed; ignored and rebuilt` };
  }
  // The checksum proves the body is what this version wrote; the file map is checked where it is used.
  if (typeof body.graph?.nxVersion !== 'string' || !Array.isArray(body.graph.projects) || !body.fileMap) {
    return { entry: null, note: `the persisted graph ${file} is malformed; ignored and rebuilt` };
  }
  return { entry: { ...rest, graph: body.graph as PersistedGraph['graph'], fileMap: body.fileMap as HostFileMap } };
}

/**
 * Writes atomically (temp file + rename) so a crash never leaves half an entry. Answers a warning
 * when the directory cannot take it: the answers stay right, every call just rebuilds the graph.
 */
export function writePersistedGraph(cacheDir: string, entry: PersistedGraph): string | null {
  const file = cacheFile(cacheDir, entry.root);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const { graph, fileMap, ...rest } = entry;
    const body = JSON.stringify({ graph, fileMap });
    const sha256 = createHash('sha256').update(body).digest('hex');
    fs.writeFileSync(temp, JSON.stringify({ ...rest, sha256, body }), { mode: 0o600 });
    fs.renameSync(temp, file);
    return null;
  } catch (err) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // The folder itself is unusable (not a folder, gone): there is no temp file to remove.
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return (
      `could not save the project graph in ${cacheDir} (${code}): the answer is right, but every call rebuilds the graph ` +
      '(slower) — make the data directory writable, or pass --data (or set CONVOY_HOME) to a writable one'
    );
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

/** The git blob id (sha1 of "blob <size>\0" + content) of each file that still exists, as `git hash-object` gives it. */
export function blobIds(root: string, files: readonly string[]): Record<string, string> {
  const blobs: Record<string, string> = {};
  for (const file of files) {
    try {
      const content = fs.readFileSync(path.join(root, file));
      blobs[file] = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
    } catch {
      // Deleted, or a directory (a submodule): no blob to compare.
    }
  }
  return blobs;
}

/** The shape the update path reads, checked cheaply (the body's checksum already proves it intact). */
export function isFileMap(value: unknown): value is HostFileMap {
  const map = value as Record<string, unknown> | null;
  if (!map || typeof map !== 'object') return false;
  if (map.incremental === false) return typeof map.reason === 'string';
  const isObject = (x: unknown) => Boolean(x) && typeof x === 'object' && !Array.isArray(x);
  return (
    map.incremental === true &&
    Array.isArray(map.patterns) &&
    map.patterns.every((p) => typeof p === 'string') &&
    Array.isArray(map.configPatterns) &&
    map.configPatterns.every((p) => typeof p === 'string') &&
    isObject(map.files) &&
    isObject(map.fixed) &&
    isObject(map.implicit) &&
    isObject(map.configs) &&
    isObject(map.locatorProjects) &&
    isObject(map.externalNodes)
  );
}

/** A host graph as the persisted entry's graph (the file map is kept beside it). */
export function graphOnly(graph: HostGraph): PersistedGraph['graph'] {
  return { nxVersion: graph.nxVersion, projects: graph.projects };
}
