// Updating a persisted graph after an edit or a commit, the way Nx's own file map does: only the
// files that changed are read again. A source file inside a project → that file's imports (Nx's own
// analysis, in the host); anything that can reshape projects or how imports resolve (nx.json, a
// lockfile, the root package.json or tsconfig, a file a plugin's createNodes glob matches — every
// project.json and package.json among them —, .gitignore/.nxignore, a Dockerfile or deploy/ entry,
// which Convoy's capabilities read) → a full rebuild by Nx.
import { createRequire } from 'node:module';
import path from 'node:path';
import { createOwnerLookup } from '../../core/affected.js';
import { runGit } from '../git/git.js';
import type { PersistedGraph, WorkspaceState } from './graph-cache.js';
import type { HostGraph } from './nx-host-client.js';

/** The extensions Nx's JS plugin reads imports from (explicit-project-dependencies.js). */
const MODULE_EXTENSIONS = ['.ts', '.js', '.tsx', '.jsx', '.mts', '.mjs', '.cjs', '.cts', '.vue'];
const ROOT_TRIGGERS = new Set(['nx.json', 'package.json', 'lerna.json', 'pnpm-workspace.yaml', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb']);
const ANYWHERE_TRIGGERS = new Set(['project.json', 'package.json', '.gitignore', '.nxignore', 'Dockerfile']);

export type UpdatePlan =
  | { kind: 'full'; reason: string }
  | { kind: 'update'; analyse: Array<{ file: string; project: string }>; drop: string[] };

type Matcher = (file: string, pattern: string) => boolean;

/** Nx matches createNodes globs with minimatch; the workspace's nx brings its own copy. */
export function globMatcher(nxDir: string): Matcher {
  const { minimatch } = createRequire(path.join(nxDir, 'package.json'))('minimatch') as { minimatch: (file: string, pattern: string, options: object) => boolean };
  // Also by the pattern's last part alone: a looser match only costs a rebuild, a missed one a stale graph.
  return (file, pattern) =>
    minimatch(file, pattern, { dot: true }) ||
    (!pattern.includes('{') && minimatch(path.posix.basename(file), pattern.slice(pattern.lastIndexOf('/') + 1), { dot: true }));
}

/**
 * Files that may differ between the persisted state and now: what the commits between the two HEADs
 * changed, and every path dirty then or now unless it kept its identity. null: the persisted HEAD is
 * gone (rewritten history), so only a full rebuild is sure.
 */
export async function changedSince(root: string, entry: PersistedGraph, now: WorkspaceState): Promise<string[] | null> {
  const changed = new Set<string>();
  /** Dirty when the graph was read, and now committed with exactly that content. */
  const committedAsRead = new Set<string>();
  if (entry.head !== now.head) {
    if (!entry.head || !now.head) return null;
    try {
      // --raw: ":<mode> <mode> <old blob> <new blob> <status>\0<path>\0" per file.
      const fields = (await runGit(root, ['diff', '--raw', '--relative', '--no-abbrev', '--no-renames', '-z', entry.head, now.head, '--', '.'])).split('\0');
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const blob = fields[i]!.split(' ')[3];
        const file = fields[i + 1]!;
        // Committed exactly as the persisted graph read it (dirty then, clean now): nothing to read again.
        if (entry.blobs[file] !== undefined && entry.blobs[file] === blob && now.dirty[file] === undefined) committedAsRead.add(file);
        else changed.add(file);
      }
    } catch {
      return null;
    }
  }
  for (const [file, identity] of Object.entries(entry.dirty)) if (now.dirty[file] !== identity && !committedAsRead.has(file)) changed.add(file);
  for (const [file, identity] of Object.entries(now.dirty)) if (entry.dirty[file] !== identity) changed.add(file);
  return [...changed].sort();
}

export interface PlanContext {
  isIgnored(file: string): boolean;
  exists(file: string): boolean;
  matches: Matcher;
}

/** Which changed files need their imports read again, and which need a full rebuild (pure). */
export function planUpdate(entry: PersistedGraph, changed: readonly string[], ctx: PlanContext): UpdatePlan {
  const map = entry.fileMap;
  if (!map.incremental) return { kind: 'full', reason: map.reason };
  const owner = createOwnerLookup(entry.graph.projects);
  const roots = new Map(entry.graph.projects.map((p) => [p.name, p.root === '.' ? '' : p.root.replace(/\/+$/, '')]));
  const analyse: Array<{ file: string; project: string }> = [];
  const drop: string[] = [];
  for (const file of changed) {
    if (/(^|\/)\.nx\//.test(file) || ctx.isIgnored(file)) continue;
    const base = path.posix.basename(file);
    if (!file.includes('/') && (ROOT_TRIGGERS.has(base) || /^tsconfig.*\.json$/.test(base))) return { kind: 'full', reason: `${file} changed` };
    if (ANYWHERE_TRIGGERS.has(base)) return { kind: 'full', reason: `${file} changed` };
    const pattern = map.patterns.find((p) => ctx.matches(file, p));
    if (pattern !== undefined) return { kind: 'full', reason: `${file} changed (plugin glob ${pattern})` };
    const project = owner(file);
    if (project === null) continue; // Nx's import analysis reads project files only
    const rootDir = roots.get(project) ?? '';
    if (file.startsWith(rootDir === '' ? 'deploy/' : `${rootDir}/deploy/`)) return { kind: 'full', reason: `${file} changed (deploy/)` };
    if (!MODULE_EXTENSIONS.some((ext) => file.endsWith(ext))) continue;
    if (ctx.exists(file)) analyse.push({ file, project });
    else drop.push(file);
  }
  return { kind: 'update', analyse, drop };
}

/** The persisted graph with the new per-file dependencies applied: each project's edges recomputed from its files. */
export function applyUpdate(entry: PersistedGraph, drop: readonly string[], analysed: Record<string, string[]>): { graph: HostGraph; fileMap: PersistedGraph['fileMap'] } {
  const map = entry.fileMap;
  if (!map.incremental) throw new Error('applyUpdate needs an incremental file map');
  const files = { ...map.files };
  for (const file of drop) delete files[file];
  for (const [file, deps] of Object.entries(analysed)) {
    if (deps.length > 0) files[file] = [...deps].sort();
    else delete files[file];
  }
  const owner = createOwnerLookup(entry.graph.projects);
  const deps = new Map<string, Set<string>>(entry.graph.projects.map((p) => [p.name, new Set(map.fixed[p.name] ?? [])]));
  for (const [file, targets] of Object.entries(files)) {
    const project = owner(file);
    const set = project === null ? undefined : deps.get(project);
    for (const target of targets) if (target !== project) set?.add(target);
  }
  const projects = entry.graph.projects.map((p) => ({ ...p, dependencies: [...(deps.get(p.name) ?? [])].sort() }));
  return { graph: { nxVersion: entry.graph.nxVersion, projects }, fileMap: { ...map, files } };
}
