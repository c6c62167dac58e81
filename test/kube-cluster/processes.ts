// The control plane's processes: the cached build, each component started with its log in the run
// directory, a clear error with the log tail when one fails, and the clean-up of runs that were killed
// (their data directories are removed, never reused, and their left-over processes are ended).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, readdirSync, rmSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLUSTER_DIR = path.dirname(fileURLToPath(import.meta.url));

export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs build.sh (a no-op when the binaries are cached) and returns the bin directory. */
export function buildControlPlane(onLine: (line: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [path.join(CLUSTER_DIR, 'build.sh')], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const reason = (error as { code?: unknown }).code === 'ENOENT' ? 'bash is missing' : stderr.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`building the Kubernetes control plane failed:\n${reason}`));
        return;
      }
      resolve(stdout.trim().split('\n').at(-1) ?? '');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) onLine(line);
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the run directories under `root` whose owner process is gone. Processes a killed owner left
 * running (recorded in its `pids` file) are ended only if their command line still names that
 * directory, so an unrelated process that reused the pid is never touched.
 */
export function cleanStaleRuns(root: string, log: (line: string) => void): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const dir = path.join(root, name);
    const owner = Number(readFileSafe(path.join(dir, 'owner.pid')));
    if (owner && isAlive(owner)) continue;
    for (const pid of readFileSafe(path.join(dir, 'pids')).split('\n').map(Number).filter(Boolean)) {
      if (isAlive(pid) && readFileSafe(`/proc/${pid}/cmdline`).includes(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    log(`removed the stale control-plane directory ${dir} (its run was killed; its etcd data is not reused)`);
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Rejects with "port N on 127.0.0.1 is in use" when it is; 0 asks for a free port. */
export function reservePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is in use: stop what listens there or pick another --port`) : error);
    });
    server.listen(port, '127.0.0.1', () => {
      const got = (server.address() as { port: number }).port;
      server.close(() => resolve(got));
    });
  });
}

export interface Component {
  name: string;
  child: ChildProcess;
  log: string;
  /** Set once the process has exited. */
  exited: { code: number | null; signal: string | null } | null;
}

export function startComponent(name: string, bin: string, args: string[], log: string): Component {
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const component: Component = { name, child, log, exited: null };
  child.on('exit', (code, signal) => {
    component.exited = { code, signal };
  });
  child.on('error', () => {
    component.exited = { code: -1, signal: null };
  });
  return component;
}

export function failure(component: Component, what: string): Error {
  const how = component.exited ? ` (it exited with ${component.exited.signal ?? `code ${component.exited.code}`})` : '';
  return new Error(`${component.name} ${what}${how}; last lines of ${component.log}:\n${tail(component.log)}`);
}

/** Polls `ready` until it answers true, failing early when the component exits. */
export async function waitFor(component: Component, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (component.exited) throw failure(component, 'exited while starting');
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw failure(component, `did not become ready within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function stopComponent(component: Component, graceMs = 10_000): Promise<void> {
  if (component.exited) return;
  const done = new Promise<void>((resolve) => component.child.once('exit', () => resolve()));
  component.child.kill('SIGTERM');
  const timer = setTimeout(() => component.child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}
