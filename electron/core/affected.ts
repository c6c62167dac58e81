// Affected projects and why, as a pure function of the graph and what touched each project.
// Which projects a change touches directly is Nx's rule (run through the Nx host, or the fast path
// below for plain files inside projects); the reverse walk and the explanations are ours.
import type { AffectedProject, AffectedReason } from '../../shared/domain.js';

export interface GraphProject {
  name: string;
  root: string;
  dependencies: readonly string[];
}

/** How a project came to be touched directly. */
export type TouchCause =
  | { kind: 'files'; files: string[] }
  | { kind: 'workspace'; cause: string; files: string[]; detail?: string };

/** How many touched files an explanation lists before it says "+N more". */
export const SHOWN_FILES = 5;

const LOCKFILES = new Set(['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'pnpm-lock.yml', 'bun.lock', 'bun.lockb']);
const PROJECT_CONFIGS = new Set(['package.json', 'project.json']);

/** Finds the project owning a file: the one with the deepest root that contains it, as Nx does. */
export function createOwnerLookup(projects: readonly GraphProject[]): (file: string) => string | null {
  const byRoot = new Map<string, string>();
  for (const project of projects) byRoot.set(normalizeRoot(project.root), project.name);
  return (file) => {
    let dir = file;
    for (;;) {
      const slash = dir.lastIndexOf('/');
      dir = slash < 0 ? '' : dir.slice(0, slash);
      const owner = byRoot.get(dir);
      if (owner !== undefined) return owner;
      if (dir === '') return null;
    }
  };
}

function normalizeRoot(root: string): string {
  // Only "./" or a lone "." is dropped: a hidden folder such as .tools/x keeps its dot.
  const trimmed = root.replace(/\\/g, '/').replace(/^\.(\/|$)/, '').replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/**
 * Splits touched files into those whose effect is plain ownership (a file inside a project, neither
 * a project or package config nor a lockfile, still on disk) and those only Nx's locators can judge.
 */
export function classifyTouchedFiles(
  files: readonly string[],
  owner: (file: string) => string | null,
  isDeleted: (file: string) => boolean,
): { owned: Map<string, string[]>; needsNx: string[] } {
  const owned = new Map<string, string[]>();
  const needsNx: string[] = [];
  for (const file of files) {
    const name = basename(file);
    const project = owner(file);
    if (project === null || !file.includes('/') || PROJECT_CONFIGS.has(name) || LOCKFILES.has(name) || isDeleted(file)) {
      needsNx.push(file);
      continue;
    }
    const list = owned.get(project) ?? [];
    list.push(file);
    owned.set(project, list);
  }
  return { owned, needsNx };
}

/** A readable cause for a file that touched projects without belonging to them. */
export function describeWorkspaceCause(file: string): string {
  const name = basename(file);
  const atRoot = !file.includes('/');
  if (atRoot && name === 'nx.json') return 'nx.json changed';
  if (atRoot && name === 'package.json') return 'root package.json changed';
  if (LOCKFILES.has(name)) return `lockfile ${file} changed`;
  if (atRoot && /^tsconfig.*\.json$/.test(name)) return `root ${name} changed`;
  if (PROJECT_CONFIGS.has(name)) return `project configuration ${file} changed`;
  return `${file} changed`;
}

function files(list: readonly string[]): { files: string[]; more: number } {
  const sorted = [...list].sort();
  return { files: sorted.slice(0, SHOWN_FILES), more: Math.max(0, sorted.length - SHOWN_FILES) };
}

function listFiles(list: readonly string[]): string {
  const { files: shown, more } = files(list);
  return more > 0 ? `${shown.join(', ')} (+${more} more)` : shown.join(', ');
}

/**
 * Every project affected by the directly touched ones, with the reasons: a direct project lists its
 * causes; every other one names the shortest dependency chain back to a touched project.
 */
export function explainAffected(
  projects: readonly GraphProject[],
  touched: ReadonlyMap<string, readonly TouchCause[]>,
): AffectedProject[] {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const dependents = new Map<string, string[]>();
  for (const project of projects) {
    for (const dep of project.dependencies) {
      if (!byName.has(dep)) continue;
      const list = dependents.get(dep) ?? [];
      list.push(project.name);
      dependents.set(dep, list);
    }
  }
  for (const list of dependents.values()) list.sort();

  // Multi-source breadth-first walk from the touched projects: parent[x] is x's dependency one step
  // closer to a touched project, so each chain is a shortest one.
  const parent = new Map<string, string | null>();
  const queue: string[] = [];
  for (const name of [...touched.keys()].sort()) {
    if (!byName.has(name) || parent.has(name)) continue;
    parent.set(name, null);
    queue.push(name);
  }
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i] as string;
    for (const dependent of dependents.get(current) ?? []) {
      if (parent.has(dependent)) continue;
      parent.set(dependent, current);
      queue.push(dependent);
    }
  }

  const result: AffectedProject[] = [];
  for (const name of [...parent.keys()].sort()) {
    const project = byName.get(name) as GraphProject;
    const causes = touched.get(name);
    if (causes && causes.length > 0) {
      const own = causes.flatMap((cause) => (cause.kind === 'files' ? cause.files : []));
      const shown = files(own);
      const reasons: AffectedReason[] = causes.map((cause) =>
        cause.kind === 'files'
          ? { kind: 'files', ...files(cause.files) }
          : { kind: 'workspace', cause: cause.cause, files: [...cause.files].sort() },
      );
      const parts = causes.map((cause) => (cause.kind === 'files' ? `changed: ${listFiles(cause.files)}` : cause.cause));
      const first = causes[0] as TouchCause;
      result.push({
        name,
        root: project.root,
        direct: true,
        files: shown.files,
        moreFiles: shown.more,
        via: [],
        reasons,
        cause: first.kind === 'files' ? 'files' : (first.detail ?? first.cause),
        explanation: `${name}: ${parts.join('; ')}`,
      });
      continue;
    }
    const via: string[] = [];
    for (let step = parent.get(name); step != null; step = parent.get(step)) via.push(step);
    const source = via[via.length - 1] as string;
    const sourceCauses = touched.get(source) ?? [];
    const sourceWhy = sourceCauses
      .map((cause) => (cause.kind === 'files' ? listFiles(cause.files) : cause.cause))
      .join('; ');
    result.push({
      name,
      root: project.root,
      direct: false,
      files: [],
      moreFiles: 0,
      via,
      reasons: [{ kind: 'dependency', via, source }],
      cause: 'dependency',
      explanation: `${[name, ...via].join(' ← ')}: ${sourceWhy}`,
    });
  }
  return result;
}

/**
 * Builds each touched project's causes from Nx's answer: its own files first, then the workspace
 * files that Nx says touched it.
 */
export function attributeCauses(
  touchedByNx: readonly string[],
  owned: ReadonlyMap<string, readonly string[]>,
  byFile: Readonly<Record<string, readonly string[]>>,
  /** Per file (the root package.json), the dependencies whose entries changed. */
  dependencies: Readonly<Record<string, readonly string[]>> = {},
): Map<string, TouchCause[]> {
  const causes = new Map<string, TouchCause[]>();
  const add = (name: string, cause: TouchCause) => {
    const list = causes.get(name) ?? [];
    list.push(cause);
    causes.set(name, list);
  };
  const touched = new Set(touchedByNx);
  for (const [name, list] of owned) if (touched.has(name)) add(name, { kind: 'files', files: [...list] });
  const byCause = new Map<string, { cause: string; files: string[]; projects: Set<string> }>();
  for (const [file, projects] of Object.entries(byFile)) {
    const cause = describeWorkspaceCause(file);
    const entry = byCause.get(cause) ?? { cause, files: [], projects: new Set<string>() };
    entry.files.push(file);
    for (const project of projects) if (touched.has(project)) entry.projects.add(project);
    byCause.set(cause, entry);
  }
  for (const entry of [...byCause.values()].sort((a, b) => a.cause.localeCompare(b.cause))) {
    for (const project of entry.projects) {
      // A project's own config file is already listed among its files.
      if (owned.get(project)?.some((file) => entry.files.includes(file))) continue;
      const detail = dependencyDetail(entry.files, dependencies);
      add(project, { kind: 'workspace', cause: entry.cause, files: entry.files, ...(detail ? { detail } : {}) });
    }
  }
  for (const name of touched) {
    if (!causes.has(name)) add(name, { kind: 'workspace', cause: 'touched by a workspace-wide change', files: [] });
  }
  return causes;
}

/** `package.json dependency zod changed` when Nx's JSON diff names the dependencies a root package.json change moved. */
function dependencyDetail(files: readonly string[], dependencies: Readonly<Record<string, readonly string[]>>): string | null {
  const names = files.flatMap((file) => (file === 'package.json' ? (dependencies[file] ?? []) : []));
  if (names.length === 0) return null;
  return `package.json ${names.length === 1 ? 'dependency' : 'dependencies'} ${[...names].sort().join(', ')} changed`;
}
