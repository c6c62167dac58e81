// Updating a persisted graph after an edit or a commit, the way Nx's own file map does: only the
// files that changed are read again. A source file inside a project → that file's imports (Nx's own
// analysis, in the host). A project's own project.json or package.json → that project, read again
// by Nx's built-in project.json/package.json plugins (its type, tags, implicitDependencies, package
// metadata and capabilities), and a package.json's workspace dependencies by Nx's analysis, when
// the last full read showed those two files alone describe the project. Everything else that can
// reshape projects or how imports resolve is a full rebuild by Nx: nx.json, a lockfile, the root
// package.json, project.json or tsconfig, a file another plugin's createNodes glob matches,
// .gitignore/.nxignore, a Dockerfile or deploy/ entry (Convoy's capabilities read them), and, for a
// project config, whatever the one-project read cannot be sure of (see applyProjectReads).
import { createRequire } from 'node:module';
import path from 'node:path';
import { createOwnerLookup } from '../../core/affected.js';
import { runGit } from '../git/git.js';
import type { PersistedGraph, WorkspaceState } from './graph-cache.js';
import type { HostGraph, HostProjectRead } from './nx-host-client.js';

/** The extensions Nx's JS plugin reads imports from (explicit-project-dependencies.js). */
const MODULE_EXTENSIONS = ['.ts', '.js', '.tsx', '.jsx', '.mts', '.mjs', '.cjs', '.cts', '.vue'];
const ROOT_TRIGGERS = new Set(['nx.json', 'package.json', 'project.json', 'lerna.json', 'pnpm-workspace.yaml', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb']);
const ANYWHERE_TRIGGERS = new Set(['.gitignore', '.nxignore', 'Dockerfile']);
/** A project's own config files: a change re-reads that project (planUpdate, applyProjectReads). */
const PROJECT_CONFIGS = new Set(['project.json', 'package.json']);
/** Files at a project's root that Nx reads for its type when projectType is unset (normalizeProjectNodes). */
const TYPE_HINTS = new Set(['tsconfig.lib.json', 'tsconfig.app.json']);

export type UpdatePlan =
  | { kind: 'full'; reason: string }
  | {
      kind: 'update';
      analyse: Array<{ file: string; project: string }>;
      drop: string[];
      /** Projects whose own project.json or package.json changed: read again by Nx (nx-host.cjs projectOp). */
      projects: string[];
    };

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

/** Which changed files need their imports read again, which projects their config, and which need a full rebuild (pure). */
export function planUpdate(entry: PersistedGraph, changed: readonly string[], ctx: PlanContext): UpdatePlan {
  const map = entry.fileMap;
  if (!map.incremental) return { kind: 'full', reason: map.reason };
  const owner = createOwnerLookup(entry.graph.projects);
  const roots = new Map(entry.graph.projects.map((p) => [p.name, p.root === '.' ? '' : p.root.replace(/\/+$/, '')]));
  const byRoot = new Map([...roots].map(([name, root]) => [root, name]));
  const analyse: Array<{ file: string; project: string }> = [];
  const drop: string[] = [];
  const projects = new Set<string>();
  for (const file of changed) {
    if (/(^|\/)\.nx\//.test(file) || ctx.isIgnored(file)) continue;
    const base = path.posix.basename(file);
    if (!file.includes('/') && (ROOT_TRIGGERS.has(base) || /^tsconfig.*\.json$/.test(base))) return { kind: 'full', reason: `${file} changed` };
    if (ANYWHERE_TRIGGERS.has(base)) return { kind: 'full', reason: `${file} changed` };
    if (PROJECT_CONFIGS.has(base)) {
      // Only a config file the last full read saw describe its project alone, still there, and no other plugin's.
      const other = map.patterns.find((p) => !map.configPatterns.includes(p) && ctx.matches(file, p));
      if (other !== undefined) return { kind: 'full', reason: `${file} changed (plugin glob ${other})` };
      const project = byRoot.get(path.posix.dirname(file));
      if (project === undefined) return { kind: 'full', reason: `${file} changed (no known project has that root: a project may appear)` };
      if (!(map.configs[project] ?? []).includes(file)) return { kind: 'full', reason: `${file} changed (not a config file that alone described ${project})` };
      if (!ctx.exists(file)) return { kind: 'full', reason: `${file} was deleted` };
      projects.add(project);
      // Its workspace dependencies are file dependencies in Nx's file map, read by the same analysis as imports.
      if (base === 'package.json') analyse.push({ file, project });
      continue;
    }
    const pattern = map.patterns.find((p) => ctx.matches(file, p));
    if (pattern !== undefined) return { kind: 'full', reason: `${file} changed (plugin glob ${pattern})` };
    const typed = TYPE_HINTS.has(base) ? byRoot.get(path.posix.dirname(file)) : undefined;
    if (typed !== undefined) {
      if (!map.configs[typed]) return { kind: 'full', reason: `${file} changed (the type of ${typed})` };
      projects.add(typed);
    }
    const project = owner(file);
    if (project === null) continue; // Nx's import analysis reads project files only
    const rootDir = roots.get(project) ?? '';
    if (file.startsWith(rootDir === '' ? 'deploy/' : `${rootDir}/deploy/`)) return { kind: 'full', reason: `${file} changed (deploy/)` };
    if (!MODULE_EXTENSIONS.some((ext) => file.endsWith(ext))) continue;
    if (ctx.exists(file)) analyse.push({ file, project });
    else drop.push(file);
  }
  return { kind: 'update', analyse, drop, projects: [...projects].sort() };
}

/**
 * JSON with sorted keys, to compare what two reads of the same project hold. Keys holding undefined
 * are left out as JSON leaves them: the host's answer keeps them (structured clone), the file not.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** implicitDependencies entries that name one project (or `!` one): anything else is a pattern Nx expands. */
function literalNames(list: unknown, names: ReadonlySet<string>): boolean {
  if (list === undefined) return true;
  return Array.isArray(list) && list.every((dep) => typeof dep === 'string' && names.has(dep.startsWith('!') ? dep.slice(1) : dep));
}

/**
 * Whether some project's implicitDependencies may select projects by tag (so a tag change could move
 * its edges): any entry that is not a plain project name, or a project whose implicitDependencies
 * Convoy cannot read from its own config files. `readJson` reads a workspace file (null: unreadable).
 */
export function tagPatternsInUse(entry: PersistedGraph, readJson: (file: string) => Record<string, unknown> | null): boolean {
  const map = entry.fileMap;
  if (!map.incremental) return true;
  const names = new Set(entry.graph.projects.map((p) => p.name));
  for (const project of entry.graph.projects) {
    const files = map.configs[project.name];
    if (!files) return true;
    for (const file of files) {
      const json = readJson(file);
      if (!json) return true;
      const nx = json.nx && typeof json.nx === 'object' ? (json.nx as Record<string, unknown>) : {};
      if (!literalNames(file.endsWith('project.json') ? json.implicitDependencies : nx.implicitDependencies, names)) return true;
    }
  }
  return false;
}

export interface ProjectReadContext {
  /** tagPatternsInUse for the persisted graph; asked only when a re-read project's tags changed. */
  tagPatternsInUse(): boolean;
}

/**
 * The persisted graph with re-read projects put in (their type, tags, capabilities and expanded
 * implicitDependencies; edges are recomputed by applyUpdate), or a full rebuild whenever the read
 * cannot be sure: the project is gone or renamed, its package metadata changed (other projects'
 * imports may resolve differently), its implicitDependencies use patterns or name unknown projects
 * (Nx refuses those), or its tags changed while some project may select by tag.
 */
export function applyProjectReads(entry: PersistedGraph, reads: Record<string, HostProjectRead>, ctx: ProjectReadContext): { kind: 'full'; reason: string } | { kind: 'read'; entry: PersistedGraph } {
  const map = entry.fileMap;
  if (!map.incremental) return { kind: 'full', reason: map.reason };
  const names = new Set(entry.graph.projects.map((p) => p.name));
  const implicit = { ...map.implicit };
  let projects = entry.graph.projects;
  for (const [name, read] of Object.entries(reads)) {
    const before = projects.find((p) => p.name === name);
    if (!before) return { kind: 'full', reason: `${name} is not in the persisted graph` };
    if (!read.found) return { kind: 'full', reason: `${before.root} no longer holds a project` };
    if (read.project.name !== name) return { kind: 'full', reason: `${name} was renamed to ${read.project.name}` };
    if (read.project.root !== before.root) return { kind: 'full', reason: `${name} moved to ${read.project.root}` };
    if (canonical(read.locator) !== canonical(map.locatorProjects[name])) return { kind: 'full', reason: `the package metadata of ${name} changed` };
    if (!literalNames(read.rawImplicit, names)) return { kind: 'full', reason: `the implicitDependencies of ${name} hold a pattern or an unknown project` };
    if (canonical(read.project.tags) !== canonical(before.tags) && ctx.tagPatternsInUse()) {
      return { kind: 'full', reason: `the tags of ${name} changed and implicitDependencies may select by tag` };
    }
    if (read.implicit.length > 0) implicit[name] = [...read.implicit];
    else delete implicit[name];
    projects = projects.map((p) => (p.name === name ? { ...read.project, dependencies: p.dependencies } : p));
  }
  return { kind: 'read', entry: { ...entry, graph: { ...entry.graph, projects }, fileMap: { ...map, implicit } } };
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
  // As Nx's builder: implicit and file edges, less the `!x` of implicitDependencies; then the fixed ones.
  const deps = new Map<string, Set<string>>();
  for (const p of entry.graph.projects) {
    deps.set(p.name, new Set((map.implicit[p.name] ?? []).filter((dep) => !dep.startsWith('!'))));
  }
  for (const [file, targets] of Object.entries(files)) {
    const project = owner(file);
    const set = project === null ? undefined : deps.get(project);
    for (const target of targets) if (target !== project) set?.add(target);
  }
  for (const p of entry.graph.projects) {
    const set = deps.get(p.name)!;
    for (const dep of map.implicit[p.name] ?? []) if (dep.startsWith('!')) set.delete(dep.slice(1));
    for (const dep of map.fixed[p.name] ?? []) set.add(dep);
  }
  const projects = entry.graph.projects.map((p) => ({ ...p, dependencies: [...(deps.get(p.name) ?? [])].sort() }));
  return { graph: { nxVersion: entry.graph.nxVersion, projects }, fileMap: { ...map, files } };
}
