// The fresh-process affected benchmark (issue 15, `npm run bench`): what a user's shell sees. On a
// generated workspace of N projects (default 2000), both tools through npx, every process fresh:
// `npx nx show projects --affected --base=main` against `npx convoy affected --base main`
//   cold      — no persisted graph and no .nx (both tools start from nothing)
//   unchanged — the same state again (nx with its .nx, Convoy with its persisted graph)
//   edit      — after one source file was edited (uncommitted)
//   commit    — after that edit was committed
// Goals, printed as ratios of medians (never thrown): unchanged and edit ≤ 0.25 × nx, cold ≤ 1.1 × nx.
// Also, per round: the npx floor (`npx convoy --version`: npm's own start plus Node's, which every npx call
// pays before the tool runs) and, for the unchanged state, both tools without npx (`node <bin>`), so the
// table shows how much of each ratio is npx's.
// Fails (exit 1) when any run's affected set differs from nx's. Results: bench-results/affected-npx.json.
// Flags: --projects N  --runs R (≥3)  --seed S  --keep
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MismatchError, REPO, assertSameSet, ms, parseOptions, stats } from './affected-support.js';
import { generateWorkspace } from './synthetic-workspace.js';

const RESULTS_FILE = path.join(REPO, 'bench-results', 'affected-npx.json');
const GOALS = { cold: 1.1, unchanged: 0.25, edit: 0.25 } as const;
const SCENARIOS = ['cold', 'unchanged', 'edit', 'commit'] as const;
type Scenario = (typeof SCENARIOS)[number];

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** GNU time, when installed: the CPU seconds of a command and the children it waited for. */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const CPU_LINE = /\nconvoy-bench-cpu (\d+\.\d+) (\d+\.\d+)\s*$/;

interface Timed {
  ms: number;
  /** User + system CPU ms (null without GNU time): steadier than wall time on a loaded machine. */
  cpuMs: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string): Promise<Timed> {
  const result = await spawnTimed(GNU_TIME ?? command, GNU_TIME ? ['-f', '\nconvoy-bench-cpu %U %S', command, ...args] : args, cwd);
  const cpu = CPU_LINE.exec(result.stderr);
  if (!cpu) return { ...result, cpuMs: null };
  return { ...result, stderr: result.stderr.slice(0, cpu.index), cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 };
}

function spawnTimed(command: string, args: string[], cwd: string): Promise<Omit<Timed, 'cpuMs'>> {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NO_COLOR: '1' };
  delete env.NX_BASE;
  delete env.NX_HEAD;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

/** `npx nx …` from the workspace (its node_modules/.bin/nx); `--no`: npx never installs anything. */
async function nx(ws: string): Promise<{ ms: number; cpuMs: number | null; names: string[] }> {
  const result = await run('npx', ['--no', '--', 'nx', 'show', 'projects', '--affected', '--base=main', '--json'], ws);
  if (result.code !== 0) throw new Error(`npx nx exited with ${result.code}:\n${result.stderr.slice(-2000)}`);
  return { ms: result.ms, cpuMs: result.cpuMs, names: (JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as string[]).sort() };
}

/**
 * Installs both tools into the workspace the way a user has them: node_modules a folder (not the
 * generator's symlink) whose packages link to this checkout's, with `convoy` → this checkout and
 * `.bin/nx`, `.bin/convoy`. Then npx runs each from the workspace, through the same npm tree.
 */
function installTools(ws: string): void {
  const nodeModules = path.join(ws, 'node_modules');
  const repoModules = path.join(REPO, 'node_modules');
  fs.rmSync(nodeModules, { force: true });
  fs.mkdirSync(path.join(nodeModules, '.bin'), { recursive: true });
  for (const name of fs.readdirSync(repoModules)) {
    if (name !== '.bin') fs.symlinkSync(path.join(repoModules, name), path.join(nodeModules, name));
  }
  fs.symlinkSync(REPO, path.join(nodeModules, 'convoy'));
  fs.symlinkSync(fs.realpathSync(path.join(repoModules, '.bin', 'nx')), path.join(nodeModules, '.bin', 'nx'));
  fs.symlinkSync(path.join(REPO, 'bin', 'convoy.mjs'), path.join(nodeModules, '.bin', 'convoy'));
}

/** `npx convoy …` from the workspace (its node_modules/.bin/convoy, this checkout's bin/convoy.mjs). */
async function convoy(ws: string, data: string): Promise<{ ms: number; cpuMs: number | null; names: string[]; read: string }> {
  const result = await run('npx', ['--no', '--', 'convoy', 'affected', '--base', 'main', '--data', data], ws);
  if (result.code !== 0) throw new Error(`npx convoy exited with ${result.code}:\n${result.stderr.slice(-2000)}`);
  const [header = '', , , ...rows] = result.stdout.trimEnd().split('\n');
  const read = header.endsWith(', cached graph') ? 'cached' : header.endsWith(', graph updated') ? 'updated' : 'rebuilt';
  const names = header.startsWith('0 affected') ? [] : rows.map((row) => row.split(/\s+/)[0] as string).sort();
  return { ms: result.ms, cpuMs: result.cpuMs, names, read };
}

/** What any `npx convoy` costs before the command does anything: npm's start, then Node's and the bin's. */
async function npxFloor(ws: string): Promise<number> {
  const result = await run('npx', ['--no', '--', 'convoy', '--version'], ws);
  if (result.code !== 0) throw new Error(`npx convoy --version exited with ${result.code}:\n${result.stderr.slice(-2000)}`);
  return result.ms;
}

/** Both tools' bins started by node directly (no npx), in the unchanged state. */
async function direct(ws: string, data: string): Promise<{ nx: number; convoy: number }> {
  // The file npx runs for nx (node_modules/.bin/nx links to it; its place moves between nx majors).
  const nxBin = fs.realpathSync(path.join(REPO, 'node_modules', '.bin', 'nx'));
  const a = await run(process.execPath, [nxBin, 'show', 'projects', '--affected', '--base=main', '--json'], ws);
  const b = await run(process.execPath, [path.join(REPO, 'bin', 'convoy.mjs'), 'affected', '--base', 'main', '--data', data], ws);
  if (a.code !== 0 || b.code !== 0) throw new Error(`a direct run failed (nx ${a.code}, convoy ${b.code}):\n${a.stderr.slice(-1000)}${b.stderr.slice(-1000)}`);
  return { nx: a.ms, convoy: b.ms };
}

function git(ws: string, ...args: string[]): Promise<unknown> {
  return spawnTimed('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', ...args], ws);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const loadStart = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-npx-'));
  const ws = path.join(tmp, 'ws');
  try {
    log(`generating ${options.projects} projects in ${ws}`);
    const synthetic = generateWorkspace(ws, { projects: options.projects, seed: options.seed, maxDepsPerProject: options.maxDeps });
    installTools(ws);
    const edited = `packages/${synthetic.touchedProjects[0]}/src/index.js`;
    const blank = () => ({ nx: [] as number[], convoy: [] as number[], nxCpu: [] as number[], convoyCpu: [] as number[] });
    const times: Record<Scenario, ReturnType<typeof blank>> = { cold: blank(), unchanged: blank(), edit: blank(), commit: blank() };
    const reads: string[] = [];
    const floor: number[] = [];
    const directTimes = { nx: [] as number[], convoy: [] as number[] };
    const measure = async (scenario: Scenario, round: number, data: string, before?: () => void) => {
      before?.();
      const a = await nx(ws);
      before?.();
      const b = await convoy(ws, data);
      assertSameSet(`${scenario} run ${round}`, a.names, b.names);
      times[scenario].nx.push(a.ms);
      times[scenario].convoy.push(b.ms);
      if (a.cpuMs !== null && b.cpuMs !== null) {
        times[scenario].nxCpu.push(a.cpuMs);
        times[scenario].convoyCpu.push(b.cpuMs);
      }
      reads.push(`${scenario}:${b.read}`);
      const cpu = a.cpuMs !== null && b.cpuMs !== null ? ` (CPU nx ${ms(a.cpuMs)}, convoy ${ms(b.cpuMs)})` : '';
      log(`${scenario} run ${round}: nx ${ms(a.ms)} ms, convoy ${ms(b.ms)} ms${cpu} (graph ${b.read}), ${a.names.length} affected`);
    };
    log('warm-up (discarded): one nx and one convoy run');
    await nx(ws);
    await convoy(ws, path.join(tmp, 'data-warmup'));
    for (let r = 1; r <= options.runs; r++) {
      const data = path.join(tmp, `data-${r}`);
      await measure('cold', r, data, () => fs.rmSync(path.join(ws, '.nx'), { recursive: true, force: true }));
      await measure('unchanged', r, data);
      floor.push(await npxFloor(ws));
      const d = await direct(ws, data);
      directTimes.nx.push(d.nx);
      directTimes.convoy.push(d.convoy);
      log(`unchanged run ${r} without npx: nx ${ms(d.nx)} ms, convoy ${ms(d.convoy)} ms; npx convoy --version ${ms(floor.at(-1) as number)} ms`);
      fs.appendFileSync(path.join(ws, edited), `\nexports.round${r} = ${r};\n`);
      await measure('edit', r, data);
      await git(ws, 'commit', '-q', '-am', `bench round ${r}`);
      await measure('commit', r, data);
    }
    const ratio = (s: Scenario) => stats(times[s].convoy).median / stats(times[s].nx).median;
    const lines = ['', `Fresh processes through npx — ${options.projects} projects, node ${process.version}, ${os.cpus().length} cpus`, ''];
    const cpuRatio = (s: Scenario) =>
      times[s].nxCpu.length > 0 ? stats(times[s].convoyCpu).median / stats(times[s].nxCpu).median : Number.NaN;
    lines.push(`${'scenario'.padEnd(10)}  ${'nx median'.padStart(10)}  ${'convoy median'.padStart(14)}  ${'ratio'.padStart(6)}  ${'CPU ratio'.padStart(9)}  goal (wall ratio)`);
    const goals: Record<string, { ratio: number; goal: number | null; pass: boolean | null }> = {};
    for (const s of SCENARIOS) {
      const goal = s in GOALS ? GOALS[s as keyof typeof GOALS] : null;
      const value = ratio(s);
      goals[s] = { ratio: value, goal, pass: goal === null ? null : value <= goal };
      const verdict = goal === null ? '(no goal)' : `≤ ${goal}  ${value <= goal ? 'PASS' : 'MISS'}`;
      lines.push(
        `${s.padEnd(10)}  ${ms(stats(times[s].nx).median).padStart(10)}  ${ms(stats(times[s].convoy).median).padStart(14)}  ${value.toFixed(2).padStart(6)}  ` +
          `${cpuRatio(s).toFixed(2).padStart(9)}  ${verdict}`,
      );
    }
    lines.push('(wall ms, medians; CPU ratio: user+system CPU of each process tree, GNU time; identical affected sets in every run ✓)');
    lines.push(`how convoy read the graph: ${[...new Set(reads)].join(', ')}`);
    const floorMedian = stats(floor).median;
    const unchangedNx = stats(times.unchanged.nx).median;
    const directRatio = stats(directTimes.convoy).median / stats(directTimes.nx).median;
    lines.push(
      `npx floor: \`npx convoy --version\` ${ms(floorMedian)} ms = ${(floorMedian / unchangedNx).toFixed(2)} × nx's unchanged median ` +
        `(no npx call of Convoy can take less); without npx, unchanged: nx ${ms(stats(directTimes.nx).median)} ms, convoy ${ms(stats(directTimes.convoy).median)} ms, ratio ${directRatio.toFixed(2)}`,
    );
    lines.push(`load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(lines.join('\n'));
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    const rows = Object.fromEntries(
      SCENARIOS.map((s) => [s, { nx: stats(times[s].nx), convoy: stats(times[s].convoy), cpuRatio: cpuRatio(s) }]),
    );
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify({ benchmark: 'affected-npx', date: new Date().toISOString(), projects: options.projects, rows, goals, reads, npxFloor: stats(floor), direct: { nx: stats(directTimes.nx), convoy: stats(directTimes.convoy), ratio: directRatio } }, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof MismatchError) {
      console.error(`\nbench: FAIL — ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    if (options.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: error — ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
