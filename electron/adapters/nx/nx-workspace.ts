// The project-graph port over Nx: the project graph (cached by git state) and Nx's touched-project
// locators. Nx itself runs in a host process per workspace (nx-host.cjs); the affected walk and its
// orchestration live in electron/features/affected.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { WorkspaceGraph } from '../../../shared/domain.js';
import { ConvoyError } from '../../../shared/errors.js';
import { abortable } from '../../core/abort.js';
import { findCycles } from '../../core/cycles.js';
import type { GraphSnapshot, NxChoice, ProjectGraphPort, Progress } from '../../core/ports/workspace.js';
import * as git from '../git/git.js';
import { HostFileMap, type PersistedGraph, isFileMap, type WorkspaceState, blobIds, cacheFile, dropCachedGraph, graphKey, graphOnly, readPersistedGraph, writePersistedGraph } from './graph-cache.js';
import { applyProjectReads, applyUpdate, changedSince, globMatcher, planUpdate, tagPatternsInUse } from './incremental-graph.js';
import { type HostGraph, type HostProjectRead, type NxHost, assertSupportedNx, isHostRestart, resolveNx, startNxHost } from './nx-host-client.js';
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
  /** Where the persisted graphs live (the data directory's cache/graphs). */
  cacheDir: string;
  /** Convoy's version: a persisted graph written by another version is not trusted. */
  convoyVersion?: string;
  /** Replaces the Nx host (tests). */
  startHost?: (root: string, nx: NxChoice) => NxHost;
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
  read: 'cached' | 'updated' | 'rebuilt';
  /** Notes for the user about the persisted graph (ignored file, unwritable directory). */
  notes: string[];
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

export function createNxWorkspace(options: NxWorkspaceOptions): ProjectGraphPort & { close(): Promise<void>; hostsRunning(): number } {
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

  function newHost(root: string, key: string | null, nx: NxChoice): HostEntry {
    const entry: HostEntry = { key, host: startHost(root, nx), pending: 0, timer: null };
    hosts.set(root, entry);
    return entry;
  }

  function hostFor(root: string, key: string, nx: NxChoice): HostEntry {
    const entry = hosts.get(root);
    if (entry && (entry.key === key || entry.key === null)) {
      entry.key = key;
      return entry;
    }
    // The workspace changed under a running host: its in-memory graph is stale.
    if (entry) closeHost(root, entry);
    return newHost(root, key, nx);
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

  async function stateOf(root: string, nxDir: string, nxVersion: string, background = false): Promise<WorkspaceState> {
    try {
      return await graphKey(root, nxDir, nxVersion, { background });
    } catch {
      await git.repoRoot(root); // throws the clear "not a git repository" error
      throw new ConvoyError('GIT_ERROR', `git status failed in ${root} — check that git works there (git status)`);
    }
  }

  /**
   * The persisted graph brought up to this state by reading only what changed (incremental-graph.ts),
   * or null when only a full rebuild is sure.
   */
  async function update(root: string, entry: PersistedGraph, state: WorkspaceState, nx: NxChoice, progress?: Progress): Promise<{ graph: HostGraph; fileMap: HostFileMap } | null> {
    // Trusted as this version wrote it (the checksum); a schema check here cost ~90 ms at 2,000 projects.
    if (!isFileMap(entry.fileMap) || !entry.fileMap.incremental) return null;
    const changed = await changedSince(root, entry, state);
    if (changed === null) return null;
    const isIgnored = nxIgnored(root, entry.nxDir);
    const plan = planUpdate(entry, changed, {
      isIgnored,
      exists: (file) => fs.existsSync(path.join(root, file)),
      matches: globMatcher(entry.nxDir),
    });
    if (plan.kind === 'full') return null;
    const ask = <T>(call: (host: NxHost) => Promise<T>): Promise<T> => {
      const once = () => use(root, hostFor(root, state.key, nx), call);
      return once().catch((err: unknown) => (isHostRestart(err) ? once() : Promise.reject(err)));
    };
    let current = entry;
    if (plan.projects.length > 0) {
      progress?.(`Reading the configuration of ${plan.projects.length} changed project(s)`, null);
      const known = entry.graph.projects.map(({ name, root: projectRoot, tags }) => ({ name, root: projectRoot, tags }));
      const reads: Record<string, HostProjectRead> = {};
      for (const name of plan.projects) {
        const projectRoot = known.find((p) => p.name === name)!.root;
        // Nx failing on the file (say, invalid JSON): the full rebuild reports Nx's own error.
        const read = await ask((host) => host.project(projectRoot, known)).catch(() => null);
        if (read === null) return null;
        reads[name] = read;
      }
      const applied = applyProjectReads(entry, reads, { tagPatternsInUse: () => tagPatternsInUse(entry, (file) => readJson(path.join(root, file))) });
      if (applied.kind === 'full') return null;
      current = applied.entry;
    }
    let analysed: Record<string, string[]> = {};
    if (plan.analyse.length > 0) {
      progress?.(`Reading the imports of ${plan.analyse.length} changed file(s)`, null);
      const { locatorProjects, externalNodes } = entry.fileMap;
      analysed = await ask((host) => host.imports(plan.analyse, { locatorProjects, externalNodes }));
    }
    return applyUpdate(current, plan.drop, analysed);
  }

  /** Keeps a graph read for state: in memory, persisted, and dropped again if the state moved while it was read. */
  function keep(root: string, state: WorkspaceState, resolved: { nxDir: string; nxSource: 'workspace' | 'bundled'; nxVersion: string }, graph: HostGraph, fileMap: HostFileMap, read: 'updated' | 'rebuilt', notes: string[]): Loaded {
    const { key, head } = state;
    const loaded = withCycles({ key, head, graph, cached: false, read, notes, nxDir: resolved.nxDir, nxSource: resolved.nxSource });
    remember(root, loaded);
    const warning = writePersistedGraph(options.cacheDir, {
      format: 2,
      convoy: options.convoyVersion ?? 'dev',
      root,
      nxDir: resolved.nxDir,
      nxVersion: resolved.nxVersion,
      key,
      head,
      dirty: state.dirty,
      blobs: blobIds(root, Object.keys(state.dirty)),
      graph: graphOnly(graph),
      fileMap,
    });
    if (warning) notes.push(warning);
    // Files that changed while Nx read them make the graph belong to neither state: it serves this
    // answer, but is dropped from both caches if the state it was read in no longer holds. Checked
    // off the answer's path; close() waits for the check.
    const forget = () => {
      if (memory.get(root) === loaded) memory.delete(root);
      dropCachedGraph(options.cacheDir, root, key);
    };
    const check = stateOf(root, resolved.nxDir, resolved.nxVersion, true).then((after) => {
      if (after.key !== key) forget();
    }, forget);
    background.add(check);
    void check.finally(() => background.delete(check));
    return loaded;
  }

  async function load(dir: string, refresh: boolean, progress?: Progress, nx: NxChoice = 'workspace'): Promise<{ root: string } & Loaded> {
    const root = assertWorkspace(dir);
    // An nx without an adapter is refused before anything starts: the message says what to do.
    const resolved = resolveNx(root, nx);
    assertSupportedNx(resolved);
    const { nxDir, nxSource, version: nxVersion } = resolved;
    const which = { nxDir, nxSource, nxVersion };
    // Never seen and never persisted: the graph will be needed whatever git status says, so start
    // Nx now and let it work while git runs.
    let early: Promise<HostGraph> | null = null;
    let earlyEntry: HostEntry | null = null;
    if (!refresh && !memory.has(root) && !hosts.has(root) && !fs.existsSync(cacheFile(options.cacheDir, root))) {
      earlyEntry = newHost(root, null, nx);
      early = use(root, earlyEntry, (host) => host.graph());
      early.catch(() => {}); // awaited below, or dropped when the graph turns out cached after all
    }
    const state = await stateOf(root, nxDir, nxVersion);
    const { key, head } = state;
    // The early host read the workspace in this state: tie it to this key, so a later state never
    // reuses its graph.
    if (earlyEntry && earlyEntry.key === null) earlyEntry.key = key;
    const notes: string[] = [];
    if (!refresh) {
      const hit = memory.get(root);
      if (hit && hit.key === key) return { root, ...hit, head, cached: true, read: 'cached', notes: [] };
      const disk = readPersistedGraph(options.cacheDir, root, options.convoyVersion ?? 'dev');
      if (disk.note) notes.push(disk.note);
      const entry = disk.entry && disk.entry.nxDir === nxDir && disk.entry.nxVersion === nxVersion ? disk.entry : null;
      if (entry && entry.key === key) {
        const loaded = withCycles({ key, head, graph: entry.graph, cached: true, read: 'cached', notes, nxDir, nxSource });
        remember(root, loaded);
        return { root, ...loaded };
      }
      const updated = entry && !early ? await update(root, entry, state, nx, progress) : null;
      if (updated) return { root, ...keep(root, state, which, updated.graph, updated.fileMap, 'updated', notes) };
    }
    progress?.(`Reading the Nx project graph of ${root}`, null);
    if (refresh) {
      const entry = hosts.get(root);
      if (entry) closeHost(root, entry);
    }
    let graph: HostGraph;
    try {
      graph = await (early && !refresh ? early : use(root, hostFor(root, key, nx), (host) => host.graph()));
    } catch (err) {
      // Another call restarted the host (the workspace changed meanwhile): ask the new one, once.
      if (!isHostRestart(err)) throw err;
      graph = await use(root, hostFor(root, key, nx), (host) => host.graph());
    }
    const fileMap = HostFileMap.safeParse(graph.fileMap);
    const loaded = keep(
      root,
      state,
      which,
      graphOnly(graph),
      fileMap.success ? fileMap.data : { incremental: false, reason: 'the Nx host reported no file map' },
      'rebuilt',
      notes,
    );
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
      read: loaded.read,
      ...(loaded.notes.length > 0 ? { notes: loaded.notes } : {}),
    };
  }

  return {
    root: assertWorkspace,
    defaultBase: (root) => defaultBase(root),

    async open(dir, opts) {
      const loaded = await abortable(load(dir, opts.refresh ?? false, opts.progress, opts.nx), opts.signal, 'Opening the workspace');
      return toWorkspaceGraph(loaded.root, loaded);
    },

    async snapshot(dir, opts): Promise<GraphSnapshot> {
      const nx = opts.nx ?? 'workspace';
      const loaded = await load(dir, false, opts.progress, nx);
      const { root } = loaded;
      return {
        root,
        graph: toWorkspaceGraph(root, loaded),
        head: loaded.head,
        isIgnored: ignoredFor(root, loaded),
        isDeleted: (file) => !fs.existsSync(path.join(root, file)),
        async locate(files, base, head, attribute, locateOptions) {
          const ask = () =>
            use(root, hostFor(root, loaded.key, nx), (host) => host.touched(files, base, head ?? undefined, attribute, locateOptions?.whole ?? false));
          return ask().catch((err: unknown) => (isHostRestart(err) ? ask() : Promise.reject(err)));
        },
      };
    },

    async close() {
      for (const [root, entry] of [...hosts]) closeHost(root, entry);
      await Promise.all([...background]);
    },

    hostsRunning: () => hosts.size,
  };
}
