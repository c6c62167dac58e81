// The workspace port over Nx: the project graph (cached by git state) and the affected set with
// reasons. Nx itself runs in a host process per workspace (nx-host.cjs); plain source changes are
// answered here from the cached graph, everything Nx must judge goes to the host.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AffectedSet, WorkspaceGraph } from '../../../shared/domain.js';
import { ConvoyError } from '../../../shared/errors.js';
import { abortable } from '../../core/abort.js';
import { findCycles } from '../../core/cycles.js';
import { attributeCauses, classifyTouchedFiles, createOwnerLookup, explainAffected } from '../../core/affected.js';
import type { AffectedQuery, Progress, WorkspacePort } from '../../core/ports/workspace.js';
import * as git from '../git/git.js';
import { cacheFile, dropCachedGraph, graphKey, readCachedGraph, writeCachedGraph } from './graph-cache.js';
import { type HostGraph, type NxHost, isHostRestart, resolveNx, startNxHost } from './nx-host-client.js';

/** Most workspace-level files whose individual effect is traced for the explanation. */
const MAX_ATTRIBUTED_FILES = 20;
/** An Nx host with nothing to do for this long is stopped (its graph stays in the caches). */
const HOST_IDLE_MS = 5 * 60_000;
const MAX_GRAPHS_IN_MEMORY = 4;

interface HostEntry {
  /** The workspace state the host's in-memory graph belongs to (null: not yet known). */
  key: string | null;
  host: NxHost;
  pending: number;
  timer: ReturnType<typeof setTimeout> | null;
}

function withCycles(loaded: Omit<Loaded, 'cycles'>): Loaded {
  return { ...loaded, cycles: findCycles(loaded.graph.projects) };
}

export interface NxWorkspaceOptions {
  cacheDir: string;
  /** Replaces the Nx host (tests). */
  startHost?: (root: string) => NxHost;
  /** How long an idle Nx host lives (default five minutes). */
  hostIdleMs?: number;
}

interface Loaded {
  key: string;
  /** The HEAD commit when the state was read. */
  head: string | null;
  graph: HostGraph;
  cached: boolean;
  /** The nx that read the graph (it is part of the key, so it holds for the whole entry). */
  nxDir: string;
  nxSource: 'workspace' | 'bundled';
  /** Dependency cycles in the graph, each as a closed path. */
  cycles: string[][];
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Nx's filter on touched files (calculateFileChanges): whatever the root .gitignore or .nxignore
 * matches is no change at all, tracked or not. Uses the `ignore` package the workspace's nx uses.
 */
function nxIgnored(root: string, nxDir: string): (file: string) => boolean {
  type Ignore = { add(patterns: string): Ignore; ignores(file: string): boolean };
  const ig = (createRequire(path.join(nxDir, 'package.json'))('ignore') as () => Ignore)();
  for (const name of ['.gitignore', '.nxignore']) {
    try {
      ig.add(fs.readFileSync(path.join(root, name), 'utf8'));
    } catch {
      // No such file: nothing ignored by it.
    }
  }
  return (file) => ig.ignores(file);
}

export function assertWorkspace(dir: string): string {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ConvoyError('WORKSPACE_ERROR', `${root} does not exist or is not a directory`);
  }
  if (!fs.existsSync(path.join(root, 'nx.json'))) {
    throw new ConvoyError('WORKSPACE_ERROR', `${root} is not an Nx workspace (no nx.json) — open the folder that holds nx.json`);
  }
  return root;
}

/** Nx's default base: NX_BASE, then nx.json's defaultBase (or affected.defaultBase), then main. */
export function defaultBase(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.NX_BASE) return env.NX_BASE;
  const nxJson = readJson(path.join(root, 'nx.json')) ?? {};
  const affected = (nxJson.affected ?? {}) as Record<string, unknown>;
  const base = nxJson.defaultBase ?? affected.defaultBase;
  return typeof base === 'string' && base.length > 0 ? base : 'main';
}

function cycleError(cycles: string[][]): ConvoyError {
  const shown = cycles.slice(0, 3).map((cycle) => cycle.join(' → ')).join('; ');
  const more = cycles.length > 3 ? ` (and ${cycles.length - 3} more)` : '';
  return new ConvoyError(
    'GRAPH_CYCLE',
    `The project graph has a dependency cycle: ${shown}${more}. Convoy builds and deploys in dependency order, ` +
      'which a cycle leaves undefined — remove one of those dependencies (package.json, project.json ' +
      'implicitDependencies or an import), or pass --allow-cycles to list the affected projects anyway.',
  );
}

export function createNxWorkspace(options: NxWorkspaceOptions): WorkspacePort & { close(): Promise<void>; hostsRunning(): number } {
  const startHost = options.startHost ?? startNxHost;
  const idleMs = options.hostIdleMs ?? HOST_IDLE_MS;
  const hosts = new Map<string, HostEntry>();
  const memory = new Map<string, Loaded>();
  const background = new Set<Promise<void>>();
  // .gitignore and .nxignore are part of the git state, so one matcher serves a whole state key.
  const ignoreMatchers = new Map<string, { key: string; ignored: (file: string) => boolean }>();

  function ignoredFor(root: string, loaded: Loaded): (file: string) => boolean {
    const known = ignoreMatchers.get(root);
    if (known && known.key === loaded.key) return known.ignored;
    const ignored = nxIgnored(root, loaded.nxDir);
    ignoreMatchers.set(root, { key: loaded.key, ignored });
    return ignored;
  }

  function remember(root: string, loaded: Loaded): void {
    memory.delete(root);
    memory.set(root, loaded);
    // Keep the few most recent workspaces; an old one reloads from the disk cache.
    while (memory.size > MAX_GRAPHS_IN_MEMORY) memory.delete(memory.keys().next().value as string);
  }

  function newHost(root: string, key: string | null): HostEntry {
    const entry: HostEntry = { key, host: startHost(root), pending: 0, timer: null };
    hosts.set(root, entry);
    return entry;
  }

  function hostFor(root: string, key: string): HostEntry {
    const entry = hosts.get(root);
    if (entry && (entry.key === key || entry.key === null)) {
      entry.key = key;
      return entry;
    }
    // The workspace changed under a running host: its in-memory graph is stale.
    if (entry) closeHost(root, entry);
    return newHost(root, key);
  }

  function closeHost(root: string, entry: HostEntry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.host.close();
    if (hosts.get(root) === entry) hosts.delete(root);
  }

  /** Runs one call on a host; an idle host is stopped after a while so no process lingers. */
  async function use<T>(root: string, entry: HostEntry, call: (host: NxHost) => Promise<T>): Promise<T> {
    entry.pending++;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    try {
      return await call(entry.host);
    } finally {
      entry.pending--;
      if (entry.pending === 0 && hosts.get(root) === entry) {
        entry.timer = setTimeout(() => closeHost(root, entry), idleMs);
        entry.timer.unref?.();
      }
    }
  }

  async function stateOf(root: string, nxDir: string, nxVersion: string, background = false): Promise<{ key: string; head: string | null }> {
    try {
      return await graphKey(root, nxDir, nxVersion, { background });
    } catch {
      await git.repoRoot(root); // throws the clear "not a git repository" error
      throw new ConvoyError('GIT_ERROR', `git status failed in ${root} — check that git works there (git status)`);
    }
  }

  async function load(dir: string, refresh: boolean, progress?: Progress): Promise<{ root: string } & Loaded> {
    const root = assertWorkspace(dir);
    // Never seen and never cached: the graph will be needed whatever git status says, so start Nx
    // now and let it work while git runs.
    let early: Promise<HostGraph> | null = null;
    let earlyEntry: HostEntry | null = null;
    if (!refresh && !memory.has(root) && !hosts.has(root) && !fs.existsSync(cacheFile(options.cacheDir, root))) {
      earlyEntry = newHost(root, null);
      early = use(root, earlyEntry, (host) => host.graph());
      early.catch(() => {}); // awaited below, or dropped when the graph turns out cached after all
    }
    const { nxDir, nxSource } = resolveNx(root);
    const nxVersion = (readJson(path.join(nxDir, 'package.json'))?.version as string | undefined) ?? 'unknown';
    const { key, head } = await stateOf(root, nxDir, nxVersion);
    // The early host read the workspace in this state: tie it to this key, so a later state never
    // reuses its graph.
    if (earlyEntry && earlyEntry.key === null) earlyEntry.key = key;
    if (!refresh) {
      const hit = memory.get(root);
      if (hit && hit.key === key) return { root, ...hit, head, cached: true };
      const disk = readCachedGraph(options.cacheDir, root, key);
      if (disk) {
        const loaded = withCycles({ key, head, graph: disk.graph, cached: true, nxDir, nxSource });
        remember(root, loaded);
        return { root, ...loaded };
      }
    }
    progress?.(`Reading the Nx project graph of ${root}`, null);
    if (refresh) {
      const entry = hosts.get(root);
      if (entry) closeHost(root, entry);
    }
    let graph: HostGraph;
    try {
      graph = await (early && !refresh ? early : use(root, hostFor(root, key), (host) => host.graph()));
    } catch (err) {
      // Another call restarted the host (the workspace changed meanwhile): ask the new one, once.
      if (!isHostRestart(err)) throw err;
      graph = await use(root, hostFor(root, key), (host) => host.graph());
    }
    const loaded = withCycles({ key, head, graph, cached: false, nxDir, nxSource });
    remember(root, loaded);
    writeCachedGraph(options.cacheDir, { key, root, graph });
    // Files that changed while Nx read them make the graph belong to neither state: it serves this
    // answer, but is dropped from both caches if the state it was read in no longer holds. Checked
    // off the answer's path; close() waits for the check.
    const forget = () => {
      if (memory.get(root) === loaded) memory.delete(root);
      dropCachedGraph(options.cacheDir, root, key);
    };
    const check = stateOf(root, nxDir, nxVersion, true).then((after) => {
      if (after.key !== key) forget();
    }, forget);
    background.add(check);
    void check.finally(() => background.delete(check));
    progress?.(`Project graph ready: ${graph.projects.length} projects`, 1);
    return { root, ...loaded };
  }

  function toWorkspaceGraph(root: string, loaded: Loaded): WorkspaceGraph {
    return {
      root,
      nxVersion: loaded.graph.nxVersion,
      nxSource: loaded.nxSource,
      projects: loaded.graph.projects,
      cycles: loaded.cycles,
      cached: loaded.cached,
    };
  }

  async function touchedFiles(root: string, query: AffectedQuery): Promise<{ files: string[]; base: string; head: string | null }> {
    const head = query.head ?? process.env.NX_HEAD ?? null;
    const baseRef = query.base ?? defaultBase(root);
    if (query.uncommitted) {
      // Only the working tree counts; like Nx, the base (for JSON diffs) may even be missing.
      const [{ ref: base }, files] = await Promise.all([
        git.mergeBaseLenient(root, baseRef, head ?? 'HEAD'),
        git.uncommittedFiles(root),
      ]);
      return { files, base, head };
    }
    const base = await git.mergeBase(root, baseRef, head ?? 'HEAD');
    if (head) return { files: await git.filesBetween(root, base, head), base, head };
    const [between, uncommitted, untracked] = await Promise.all([
      git.filesBetween(root, base, 'HEAD'),
      git.uncommittedFiles(root),
      git.untrackedFiles(root),
    ]);
    return { files: [...new Set([...between, ...uncommitted, ...untracked])], base, head };
  }

  return {
    async open(dir, opts) {
      const loaded = await abortable(load(dir, opts.refresh ?? false, opts.progress), opts.signal, 'Opening the workspace');
      return toWorkspaceGraph(loaded.root, loaded);
    },

    affected(query, opts) {
      return abortable(computeAffected(query, opts), opts.signal, 'Computing the affected projects');
    },

    async close() {
      for (const [root, entry] of [...hosts]) closeHost(root, entry);
      await Promise.all([...background]);
    },

    hostsRunning: () => hosts.size,
  };

  async function computeAffected(query: AffectedQuery, opts: { progress?: Progress }): Promise<AffectedSet> {
    // The touched files and the head commit depend on git alone, not on the graph: ask for them
    // while the graph loads. A load failure (say, not a git repository) is the one to report.
    const root = assertWorkspace(query.dir);
    const headRef = query.head ?? process.env.NX_HEAD;
    const isSha = (ref: string) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ref);
    const [loadedResult, touchedResult, headResult] = await Promise.allSettled([
      load(root, false, opts.progress),
      touchedFiles(root, query),
      query.uncommitted || !headRef || isSha(headRef) ? Promise.resolve(headRef ?? null) : git.revParse(root, headRef),
    ]);
    if (loadedResult.status === 'rejected') throw loadedResult.reason;
    if (touchedResult.status === 'rejected') throw touchedResult.reason;
    if (headResult.status === 'rejected') throw headResult.reason;
    const loaded = loadedResult.value;
    const { files, base, head } = touchedResult.value;
    if (loaded.cycles.length > 0 && !query.allowCycles) throw cycleError(loaded.cycles);
    const projects = loaded.graph.projects;
    const owner = createOwnerLookup(projects);
    const ignored = ignoredFor(root, loaded);
    const visible = files.filter((file) => !ignored(file));
    const { owned, needsNx } = classifyTouchedFiles(visible, owner, (file) => !fs.existsSync(path.join(root, file)));

    let touchedByNx: string[];
    let byFile: Record<string, string[]> = {};
    let considered = visible;
    if (needsNx.length === 0) {
      touchedByNx = [...owned.keys()];
    } else {
      opts.progress?.(`Asking Nx about ${needsNx.length} workspace-level file(s)`, null);
      const ask = () =>
        use(root, hostFor(root, loaded.key), (host) => host.touched(files, base, head ?? undefined, needsNx.slice(0, MAX_ATTRIBUTED_FILES)));
      const answer = await ask().catch((err: unknown) => (isHostRestart(err) ? ask() : Promise.reject(err)));
      touchedByNx = answer.touched;
      byFile = answer.byFile;
      considered = answer.considered;
    }
    // Every considered file inside a project counts as that project's own, config files included.
    const ownedAll = new Map<string, string[]>();
    for (const file of considered) {
      const project = owner(file);
      if (project === null) continue;
      const list = ownedAll.get(project) ?? [];
      list.push(file);
      ownedAll.set(project, list);
    }
    const causes = attributeCauses(touchedByNx, ownedAll, byFile);
    const affected = explainAffected(projects, causes);
    const baseSha = isSha(base)
      ? base
      : await git.revParse(root, base).catch((err: unknown) => (query.uncommitted ? null : Promise.reject(err)));
    const headSha = query.uncommitted || !head ? loaded.head : headResult.value;
    const result: AffectedSet = {
      workspace: root,
      base: baseSha,
      head: headSha,
      uncommitted: query.uncommitted ?? false,
      touchedFiles: considered.length,
      projects: affected,
      graphCached: loaded.cached,
    };
    return result;
  }
}
