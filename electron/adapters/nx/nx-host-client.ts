// Starts and talks to the Nx host (nx-host.cjs), a child process per workspace root.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvoyError } from '../../../shared/errors.js';
import type { WorkspaceProject } from '../../../shared/domain.js';

export interface HostGraph {
  nxVersion: string;
  projects: WorkspaceProject[];
  /** The file map behind the graph (graph-cache.ts HostFileMap), as the host reads it from Nx. */
  fileMap?: unknown;
}

/** What Nx's import resolver needs of the graph (the persisted file map's locatorProjects and externalNodes). */
export interface ImportContext {
  locatorProjects: Record<string, unknown>;
  externalNodes: Record<string, unknown>;
}

export interface HostTouched {
  touched: string[];
  byFile: Record<string, string[]>;
  considered: string[];
  /** Per file (the root package.json), the dependencies whose entries changed. */
  dependencies?: Record<string, string[]>;
}

/** One project as Nx reads it again from its own project.json and package.json (nx-host.cjs projectOp). */
export type HostProjectRead =
  | { found: false }
  | {
      found: true;
      /** Name, root, type, tags and capabilities as a full build reports them (dependencies left empty). */
      project: WorkspaceProject;
      /** implicitDependencies as written, and as Nx expanded them against the persisted projects. */
      rawImplicit: string[];
      implicit: string[];
      /** What Nx's import resolver would read of the project (compared with the persisted one). */
      locator: Record<string, unknown>;
    };

/** Marks calls that failed because their host was stopped on purpose (a newer workspace state). */
const RESTARTED = Symbol('nx-host-restarted');

export function isHostRestart(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as { [RESTARTED]?: boolean })[RESTARTED]);
}

export interface NxHost {
  readonly nxDir: string;
  readonly nxSource: 'workspace' | 'bundled';
  graph(): Promise<HostGraph>;
  touched(files: string[], base: string, head: string | undefined, attribute: string[], whole?: boolean): Promise<HostTouched>;
  /** Nx's import analysis of these files: per file, the projects it depends on. */
  imports(files: Array<{ file: string; project: string }>, context: ImportContext): Promise<Record<string, string[]>>;
  /** The project at projectRoot read again by Nx's project.json/package.json plugins, against these projects. */
  project(projectRoot: string, projects: Array<Pick<WorkspaceProject, 'name' | 'root' | 'tags'>>): Promise<HostProjectRead>;
  close(): void;
}

const require = createRequire(import.meta.url);

/** Which nx reads a workspace: its own installed one (the default) or the one Convoy bundles. */
export type NxChoice = 'workspace' | 'bundled';

/** The Nx majors the host has an adapter for (nx-host-versions.cjs keeps the same list). */
export const SUPPORTED_NX_MAJORS = [20, 21, 22, 23, 24] as const;

export interface ResolvedNx {
  nxDir: string;
  nxSource: NxChoice;
  version: string;
}

function versionAt(nxDir: string): string {
  try {
    const version = (JSON.parse(fs.readFileSync(path.join(nxDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The workspace's own nx when it has one installed (its plugins and version rules apply), else ours. */
export function resolveNx(root: string, choice: NxChoice = 'workspace'): ResolvedNx {
  const own = path.join(root, 'node_modules', 'nx', 'package.json');
  if (choice === 'workspace' && fs.existsSync(own)) {
    const nxDir = path.dirname(fs.realpathSync(own));
    return { nxDir, nxSource: 'workspace', version: versionAt(nxDir) };
  }
  const nxDir = path.dirname(require.resolve('nx/package.json'));
  return { nxDir, nxSource: 'bundled', version: versionAt(nxDir) };
}

/** Refuses an nx the host has no adapter for, saying which versions work and how to use the bundled nx. */
export function assertSupportedNx(resolved: ResolvedNx): void {
  const major = Number.parseInt(resolved.version.split('.')[0] ?? '', 10);
  if ((SUPPORTED_NX_MAJORS as readonly number[]).includes(major)) return;
  const first = SUPPORTED_NX_MAJORS[0];
  const last = SUPPORTED_NX_MAJORS[SUPPORTED_NX_MAJORS.length - 1];
  const bundled = versionAt(path.dirname(require.resolve('nx/package.json')));
  throw new ConvoyError(
    'NX_UNSUPPORTED',
    `The workspace's nx is ${resolved.version} (${resolved.nxDir}); Convoy reads workspaces with their own nx ${first} to ${last}. ` +
      `Upgrade the workspace's nx to a release of Nx ${first}–${last}, or use Convoy's bundled nx ${bundled} instead: ` +
      'pass `--nx bundled` (CLI) or put `nx: bundled` in convoy.yaml (the workspace\'s plugins then load under that nx).',
  );
}

export function hostScript(): string {
  // Next to this file in the source tree; bundlers copy it next to the bundle (see build/).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'nx-host.cjs');
  return fs.existsSync(beside) ? beside : path.join(here, 'adapters', 'nx', 'nx-host.cjs');
}

export function startNxHost(root: string, choice: NxChoice = 'workspace'): NxHost {
  const resolved = resolveNx(root, choice);
  assertSupportedNx(resolved);
  const { nxDir, nxSource } = resolved;
  let child: ChildProcess | null = null;
  let ready: Promise<void> | null = null;
  let rejectReady: ((err: Error) => void) | null = null;
  let nextId = 1;
  let stderrTail = '';
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  function failAll(err: Error) {
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  }

  function ensure(): Promise<void> {
    if (ready) return ready;
    ready = new Promise<void>((resolve, reject) => {
      rejectReady = reject;
      const proc = fork(hostScript(), [], {
        cwd: root,
        env: {
          ...process.env,
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_WORKSPACE_ROOT_PATH: root,
          NX_VERBOSE_LOGGING: 'false',
          // The host is already a process of Nx's own: loading plugins in it rather than in one
          // worker process each saves their start-up (about a third of a cold graph on 2 cores).
          NX_ISOLATE_PLUGINS: process.env.NX_ISOLATE_PLUGINS ?? 'false',
          CONVOY_NX_DIR: nxDir,
          // Inside Electron, fork() starts the Electron binary: make it behave as plain Node.
          ELECTRON_RUN_AS_NODE: '1',
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      child = proc;
      stderrTail = '';
      proc.stderr?.setEncoding('utf8');
      proc.stderr?.on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-4000);
      });
      proc.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; value?: unknown; error?: { code?: string; message: string } }) => {
        if (message.ready) return resolve();
        const waiter = pending.get(message.id ?? -1);
        if (!waiter) return;
        pending.delete(message.id as number);
        if (message.ok) waiter.resolve(message.value);
        else {
          const code = message.error?.code === 'NX_UNSUPPORTED' ? 'NX_UNSUPPORTED' : 'WORKSPACE_ERROR';
          waiter.reject(new ConvoyError(code, message.error?.message ?? 'Nx failed'));
        }
      });
      proc.on('exit', (code, signal) => {
        if (child !== proc) return; // an old host closed on purpose; nothing of the new one to fail
        // Node's "Require stack" lists files, not causes: leave it out of the message.
        const detail = stderrTail.trim().split('\nRequire stack:')[0]!.split('\n').slice(-5).join('\n');
        const err = new ConvoyError(
          'WORKSPACE_ERROR',
          `Nx host for ${root} stopped (${signal ?? `exit ${code}`})${detail ? `: ${detail}` : ''}`,
        );
        child = null;
        ready = null;
        reject(err);
        failAll(err);
      });
      proc.on('error', (err) => reject(new ConvoyError('WORKSPACE_ERROR', `Could not start Nx for ${root}: ${err.message}`)));
    });
    ready.catch(() => {}); // callers see the rejection through call(); nothing else waits on it
    return ready;
  }

  async function call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    await ensure();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child?.send({ id, op, ...args });
    });
  }

  return {
    nxDir,
    nxSource,
    graph: () => call<HostGraph>('graph', {}),
    touched: (files, base, head, attribute, whole = false) => call<HostTouched>('touched', { files, base, head, attribute, whole }),
    imports: (files, context) => call<Record<string, string[]>>('imports', { files, ...context }),
    project: (projectRoot, projects) => call<HostProjectRead>('project', { projectRoot, projects }),
    close() {
      const err = Object.assign(new ConvoyError('WORKSPACE_ERROR', `The Nx host for ${root} was stopped`), { [RESTARTED]: true });
      rejectReady?.(err);
      failAll(err);
      child?.kill();
      child = null;
      ready = null;
      rejectReady = null;
    },
  };
}
