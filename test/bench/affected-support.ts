// Support for the affected benchmark (test/bench/run.ts): its options, the statistics and number
// formatting of its table, the child processes it times (the nx CLI and the fresh-process Convoy
// runner, test/bench/convoy-affected.ts, bundled with esbuild or run through tsx), the equality
// check between their answers, and the CPU-time reading.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
const CHILD_TIMEOUT_MS = 180_000;

// ---------------------------------------------------------------------------------------------
// Options

export interface Options {
  projects: number;
  runs: number;
  warmCalls: number;
  seed: number;
  maxDeps: number;
  tsx: boolean;
  keep: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const inline = argv.find((a) => a.startsWith(`--${name}=`));
    return inline?.slice(name.length + 3);
  };
  const int = (raw: string | undefined, fallback: number, min: number, what: string): number => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      console.error(`bench: ${what} must be an integer ≥ ${min} (got "${raw}")`);
      process.exit(2);
    }
    return n;
  };
  return {
    projects: int(value('projects') ?? process.env.CONVOY_BENCH_PROJECTS, 2000, 2, 'projects'),
    runs: int(value('runs'), 3, 3, 'runs'),
    warmCalls: int(value('warm-calls'), 30, 3, 'warm-calls'),
    seed: int(value('seed'), 20240101, 0, 'seed'),
    maxDeps: int(value('max-deps'), 3, 1, 'max-deps'),
    tsx: flag('tsx'),
    keep: flag('keep'),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface Stats {
  runs: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  samples: number[];
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (i: number) => sorted[Math.min(sorted.length - 1, Math.max(0, i))] as number;
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? at(Math.floor(mid)) : (at(mid - 1) + at(mid)) / 2;
  return {
    runs: sorted.length,
    median,
    p90: at(Math.ceil(0.9 * sorted.length) - 1),
    min: at(0),
    max: at(sorted.length - 1),
    samples: samples.map((s) => Math.round(s * 10) / 10),
  };
}

export const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

// ---------------------------------------------------------------------------------------------
// Child processes

interface ChildResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runChild(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, code, stdout, stderr });
    });
  });
}

function childFailure(what: string, result: ChildResult): Error {
  const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
  return new Error(`${what} exited with ${result.code}:\n${tail}`);
}

const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...NX_ENV };
  // Explicit --base/--head are given; keep ambient overrides from changing either tool's answer.
  delete env.NX_BASE;
  delete env.NX_HEAD;
  return env;
}

/** `nx show projects --affected --base=main --head=feature --json` → sorted names. */
export async function nxAffected(ws: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ ms: number; names: string[] }> {
  const result = await runChild(
    path.join(ws, 'node_modules', '.bin', 'nx'),
    ['show', 'projects', '--affected', '--base=main', '--head=feature', '--json'],
    ws,
    { ...childEnv(), ...extraEnv },
  );
  if (result.code !== 0) throw childFailure('nx show projects --affected', result);
  const json = result.stdout.slice(result.stdout.indexOf('['));
  let names: unknown;
  try {
    names = JSON.parse(json);
  } catch {
    throw new Error(`nx printed something other than a JSON list:\n${result.stdout.slice(0, 500)}`);
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error('nx printed an unexpected JSON shape');
  return { ms: result.ms, names: [...(names as string[])].sort() };
}

interface RunnerOutput {
  names: string[];
  graphCached: boolean;
  importedAt: number;
  affectedMs: number;
  doneAt: number;
}

export interface Runner {
  kind: 'bundle' | 'tsx';
  command: string;
  args: string[];
}

/**
 * The fresh-process Convoy runner. By default test/bench/convoy-affected.ts bundled with esbuild the
 * way build/build-electron.mjs bundles the app (nx external, the host script copied beside it), so
 * the row measures Convoy, not tsx compiling TypeScript on every start.
 */
export async function prepareRunner(tmp: string, useTsx: boolean): Promise<Runner> {
  const entry = path.join(HERE, 'convoy-affected.ts');
  const viaTsx: Runner = { kind: 'tsx', command: process.execPath, args: [path.join(REPO, 'bin', 'run-ts.mjs'), entry] };
  if (useTsx) return viaTsx;
  try {
    const esbuild = await import('esbuild');
    const outdir = path.join(tmp, 'runner');
    const outfile = path.join(outdir, 'convoy-affected.mjs');
    await esbuild.build({
      absWorkingDir: REPO,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['nx', 'nx/*', '@nx/*'],
      logLevel: 'silent',
    });
    for (const file of ['nx-host.cjs', 'nx-host-versions.cjs']) {
      fs.copyFileSync(path.join(REPO, 'electron', 'adapters', 'nx', file), path.join(outdir, file));
    }
    return { kind: 'bundle', command: process.execPath, args: [outfile] };
  } catch (err) {
    console.warn(`bench: could not bundle the runner (${(err as Error).message}); using tsx for the fresh-process rows`);
    return viaTsx;
  }
}

export async function convoyFreshProcess(runner: Runner, ws: string, cacheDir: string): Promise<{ ms: number } & RunnerOutput> {
  const result = await runChild(runner.command, [...runner.args, ws, cacheDir, 'main', 'feature'], REPO, childEnv());
  if (result.code !== 0) throw childFailure('the Convoy runner', result);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  const out = JSON.parse(line) as RunnerOutput;
  return { ms: result.ms, ...out };
}

// ---------------------------------------------------------------------------------------------
// Equality

export class MismatchError extends Error {}

export function assertSameSet(what: string, expected: readonly string[], actual: readonly string[]): void {
  if (expected.length === actual.length && expected.every((name, i) => actual[i] === name)) return;
  const exp = new Set(expected);
  const act = new Set(actual);
  const missing = expected.filter((n) => !act.has(n));
  const extra = actual.filter((n) => !exp.has(n));
  const show = (list: string[]) => `${list.slice(0, 20).join(', ')}${list.length > 20 ? ` (+${list.length - 20} more)` : ''}`;
  throw new MismatchError(
    `${what}: affected set differs from nx's (nx ${expected.length}, convoy ${actual.length})\n` +
      `  only in nx:     ${show(missing) || '-'}\n` +
      `  only in convoy: ${show(extra) || '-'}`,
  );
}

// ---------------------------------------------------------------------------------------------
// CPU time

/**
 * CPU time (ms) of this process plus its reaped children (the git commands Convoy runs), or null
 * off Linux. Load on a shared machine inflates wall times; CPU per call is the steadier figure.
 */
export function cpuMs(): number | null {
  const self = process.cpuUsage();
  try {
    const fields = (fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1] ?? '').split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]); // cutime + cstime, in USER_HZ (100/s)
    if (!Number.isFinite(ticks)) return null;
    return (self.user + self.system) / 1000 + ticks * 10;
  } catch {
    return null;
  }
}
