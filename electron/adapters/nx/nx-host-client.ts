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
}

export interface HostTouched {
  touched: string[];
  byFile: Record<string, string[]>;
  considered: string[];
}

/** Marks calls that failed because their host was stopped on purpose (a newer workspace state). */
const RESTARTED = Symbol('nx-host-restarted');

export function isHostRestart(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as { [RESTARTED]?: boolean })[RESTARTED]);
}

export interface NxHost {
  readonly nxDir: string;
  readonly nxSource: 'workspace' | 'bundled';
  graph(): Promise<HostGraph>;
  touched(files: string[], base: string, head: string | undefined, attribute: string[]): Promise<HostTouched>;
  close(): void;
}

const require = createRequire(import.meta.url);

/** The workspace's own nx when it has one installed (its plugins and version rules apply), else ours. */
export function resolveNx(root: string): { nxDir: string; nxSource: 'workspace' | 'bundled' } {
  const own = path.join(root, 'node_modules', 'nx', 'package.json');
  if (fs.existsSync(own)) return { nxDir: path.dirname(fs.realpathSync(own)), nxSource: 'workspace' };
  return { nxDir: path.dirname(require.resolve('nx/package.json')), nxSource: 'bundled' };
}

export function hostScript(): string {
  // Next to this file in the source tree; bundlers copy it next to the bundle (see build/).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'nx-host.cjs');
  return fs.existsSync(beside) ? beside : path.join(here, 'adapters', 'nx', 'nx-host.cjs');
}

export function startNxHost(root: string): NxHost {
  const { nxDir, nxSource } = resolveNx(root);
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
      proc.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; value?: unknown; error?: { message: string } }) => {
        if (message.ready) return resolve();
        const waiter = pending.get(message.id ?? -1);
        if (!waiter) return;
        pending.delete(message.id as number);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new ConvoyError('WORKSPACE_ERROR', message.error?.message ?? 'Nx failed'));
      });
      proc.on('exit', (code, signal) => {
        if (child !== proc) return; // an old host closed on purpose; nothing of the new one to fail
        const detail = stderrTail.trim().split('\n').slice(-5).join('\n');
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
    touched: (files, base, head, attribute) => call<HostTouched>('touched', { files, base, head, attribute }),
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
