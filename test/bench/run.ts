// The affected benchmark (`npm run bench`): Convoy's affected set against `nx show projects
// --affected` on a synthetic package-based workspace of N projects (default 2000; CONVOY_BENCH_PROJECTS
// or --projects N), cold and warm, side by side in one run. Fails (exit 1) only when Convoy's affected
// set differs from Nx's; a missed speed goal is printed, not thrown. Results: bench-results/affected.json.
//
// Flags: --projects N  --runs R (cold/disk repeats, ≥3)  --warm-calls M  --seed S  --max-deps D
//        --tsx (fresh-process rows through tsx instead of an esbuild bundle)  --keep (keep the temp dir)
//
// Options, statistics, the child processes (nx and the Convoy runner) and the equality check live in
// affected-support.ts; this file is the benchmark's flow and its report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { nxWorkspace } from '../support/nx-workspace.js';
import {
  MismatchError,
  REPO,
  type Stats,
  assertSameSet,
  convoyFreshProcess,
  cpuMs,
  ms,
  nxAffected,
  parseOptions,
  prepareRunner,
  stats,
} from './affected-support.js';
import { generateWorkspace } from './synthetic-workspace.js';

const RESULTS_FILE = path.join(REPO, 'bench-results', 'affected.json');

const GOAL_COLD_RATIO = 1.1;
const GOAL_WARM_MS = 50;

// ---------------------------------------------------------------------------------------------
// The benchmark

function rmNxCache(ws: string): void {
  fs.rmSync(path.join(ws, '.nx'), { recursive: true, force: true });
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const benchStart = performance.now();
  const loadStart = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-'));
  const ws = path.join(tmp, 'ws');
  let cacheCount = 0;
  const freshCacheDir = () => path.join(tmp, `cache-${cacheCount++}`);
  const open: Array<{ close(): void }> = [];
  const onSignal = () => {
    for (const workspace of open) workspace.close();
    if (!options.keep) fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`generating ${options.projects} projects in ${ws}`);
    const genStart = performance.now();
    const synthetic = generateWorkspace(ws, { projects: options.projects, seed: options.seed, maxDepsPerProject: options.maxDeps });
    const generationMs = performance.now() - genStart;
    log(
      `generated in ${ms(generationMs)} ms; feature touches ${synthetic.touchedFiles.length} files in ` +
        `${synthetic.touchedProjects.join(', ')} (${synthetic.expectedAffected.length} affected by construction)`,
    );
    const runner = await prepareRunner(tmp, options.tsx);
    const nxVersion = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'nx', 'package.json'), 'utf8')) as { version: string })
      .version;

    // Warm-up (discarded): fills the OS page cache for nx's and Convoy's code alike, and gives the
    // reference answer.
    log('warm-up: nx cold + convoy cold (discarded)');
    rmNxCache(ws);
    const reference = await nxAffected(ws);
    const notes: string[] = [];
    if (reference.names.join() !== synthetic.expectedAffected.join()) {
      notes.push(
        `nx's affected set (${reference.names.length}) differs from the generator's DAG closure (${synthetic.expectedAffected.length}); ` +
          'comparing Convoy against nx as the reference',
      );
    }
    rmNxCache(ws);
    assertSameSet('warm-up convoy cold (fresh process)', reference.names, (await convoyFreshProcess(runner, ws, freshCacheDir())).names);

    // Cold: interleaved so drift on a shared machine hits every row alike.
    const nxCold: number[] = [];
    const nxColdShared: number[] = [];
    const convoyColdProc: number[] = [];
    const convoyColdProcStartup: number[] = [];
    const convoyColdProcAffected: number[] = [];
    const convoyColdInProc: number[] = [];
    let warmWorkspace: ReturnType<typeof nxWorkspace> | null = null;
    let populatedCache = '';
    for (let r = 1; r <= options.runs; r++) {
      log(`cold round ${r}/${options.runs}`);
      rmNxCache(ws);
      const nx = await nxAffected(ws);
      assertSameSet(`nx cold run ${r}`, reference.names, nx.names);
      nxCold.push(nx.ms);

      // Convoy's Nx host loads plugins in its own process (NX_ISOLATE_PLUGINS=false); nx can do the
      // same, so show that too rather than only comparing with nx's default.
      rmNxCache(ws);
      const shared = await nxAffected(ws, { NX_ISOLATE_PLUGINS: 'false' });
      assertSameSet(`nx cold (plugins in-process) run ${r}`, reference.names, shared.names);
      nxColdShared.push(shared.ms);

      rmNxCache(ws);
      const fresh = await convoyFreshProcess(runner, ws, freshCacheDir());
      assertSameSet(`convoy cold (fresh process) run ${r}`, reference.names, fresh.names);
      if (fresh.graphCached) notes.push(`convoy cold (fresh process) run ${r} reported graphCached=true`);
      convoyColdProc.push(fresh.ms);
      convoyColdProcStartup.push(fresh.importedAt);
      convoyColdProcAffected.push(fresh.affectedMs);

      rmNxCache(ws);
      warmWorkspace?.close();
      populatedCache = freshCacheDir();
      const workspace = nxWorkspace({ cacheDir: populatedCache });
      open.push(workspace);
      warmWorkspace = workspace;
      const start = performance.now();
      const result = await workspace.affected({ dir: ws, base: 'main', head: 'feature' }, {});
      convoyColdInProc.push(performance.now() - start);
      assertSameSet(`convoy cold (in-process) run ${r}`, reference.names, result.projects.map((p) => p.name).sort());
      if (result.graphCached) notes.push(`convoy cold (in-process) run ${r} reported graphCached=true`);
    }

    // Warm, same instance: the last cold instance has answered once; its graph is in memory.
    log(`convoy warm: ${options.warmCalls} calls on one instance`);
    const convoyWarm: number[] = [];
    if (!warmWorkspace) throw new Error('no in-process workspace');
    const cpuStart = cpuMs();
    for (let i = 0; i < options.warmCalls; i++) {
      const start = performance.now();
      const result = await warmWorkspace.affected({ dir: ws, base: 'main', head: 'feature' }, {});
      convoyWarm.push(performance.now() - start);
      if (i === 0) assertSameSet('convoy warm (in-process)', reference.names, result.projects.map((p) => p.name).sort());
      if (!result.graphCached) notes.push(`convoy warm call ${i + 1} reported graphCached=false`);
    }
    const cpuEnd = cpuMs();
    const warmCpuPerCall = cpuStart !== null && cpuEnd !== null ? (cpuEnd - cpuStart) / options.warmCalls : null;
    warmWorkspace.close();

    // Warm from the disk cache: a new instance (in-process) and a new process, both on the cache the
    // last cold instance wrote.
    log('convoy warm from the disk cache (new instance, new process)');
    const convoyDiskInProc: number[] = [];
    const convoyDiskProc: number[] = [];
    const convoyDiskProcAffected: number[] = [];
    for (let r = 1; r <= options.runs; r++) {
      const workspace = nxWorkspace({ cacheDir: populatedCache });
      open.push(workspace);
      const start = performance.now();
      const result = await workspace.affected({ dir: ws, base: 'main', head: 'feature' }, {});
      convoyDiskInProc.push(performance.now() - start);
      workspace.close();
      assertSameSet(`convoy disk-warm (in-process) run ${r}`, reference.names, result.projects.map((p) => p.name).sort());
      if (!result.graphCached) notes.push(`convoy disk-warm (in-process) run ${r} missed the disk cache`);

      const fresh = await convoyFreshProcess(runner, ws, populatedCache);
      assertSameSet(`convoy disk-warm (fresh process) run ${r}`, reference.names, fresh.names);
      if (!fresh.graphCached) notes.push(`convoy disk-warm (fresh process) run ${r} missed the disk cache`);
      convoyDiskProc.push(fresh.ms);
      convoyDiskProcAffected.push(fresh.affectedMs);
    }

    // nx warm: its .nx workspace-data left in place (primed by one discarded run).
    log('nx warm (.nx kept)');
    await nxAffected(ws);
    const nxWarm: number[] = [];
    for (let r = 1; r <= options.runs; r++) {
      const nx = await nxAffected(ws);
      assertSameSet(`nx warm run ${r}`, reference.names, nx.names);
      nxWarm.push(nx.ms);
    }

    // Report.
    const freshLabel = runner.kind === 'bundle' ? 'fresh process, bundled' : 'fresh process, tsx';
    const rows: Array<{ key: string; label: string; stats: Stats }> = [
      { key: 'nxCold', label: 'nx cold (CLI, .nx deleted)', stats: stats(nxCold) },
      { key: 'nxWarm', label: 'nx warm (CLI, .nx kept)', stats: stats(nxWarm) },
      { key: 'nxColdSharedPlugins', label: 'nx cold (CLI, .nx deleted, NX_ISOLATE_PLUGINS=false)', stats: stats(nxColdShared) },
      { key: 'convoyColdProcess', label: `convoy cold (${freshLabel}, empty cache, .nx deleted)`, stats: stats(convoyColdProc) },
      { key: 'convoyColdProcessStartup', label: '  of which: node start + module load', stats: stats(convoyColdProcStartup) },
      { key: 'convoyColdProcessAffected', label: '  of which: affected() call', stats: stats(convoyColdProcAffected) },
      { key: 'convoyColdInProcess', label: 'convoy cold (in-process, empty cache, .nx deleted)', stats: stats(convoyColdInProc) },
      { key: 'convoyWarm', label: `convoy warm (in-process, same instance, ${options.warmCalls} calls)`, stats: stats(convoyWarm) },
      { key: 'convoyDiskWarmInProcess', label: 'convoy warm from disk cache (in-process, new instance)', stats: stats(convoyDiskInProc) },
      { key: 'convoyDiskWarmProcess', label: `convoy warm from disk cache (${freshLabel})`, stats: stats(convoyDiskProc) },
      { key: 'convoyDiskWarmProcessAffected', label: '  of which: affected() call', stats: stats(convoyDiskProcAffected) },
    ];
    const get = (key: string) => (rows.find((row) => row.key === key) as { stats: Stats }).stats;
    const coldRatio = get('convoyColdProcess').median / get('nxCold').median;
    const coldRatioInProcess = get('convoyColdInProcess').median / get('nxCold').median;
    const coldRatioSharedPlugins = get('convoyColdProcess').median / get('nxColdSharedPlugins').median;
    const warmMs = get('convoyWarm').median;
    const speedup = get('nxCold').median / warmMs;
    const goals = {
      coldRatio: { value: coldRatio, goal: `≤ ${GOAL_COLD_RATIO}`, pass: coldRatio <= GOAL_COLD_RATIO },
      warmMs: { value: warmMs, goal: `≤ ${GOAL_WARM_MS} ms`, pass: warmMs <= GOAL_WARM_MS },
    };

    const labelWidth = Math.max(...rows.map((row) => row.label.length));
    const lines: string[] = [];
    lines.push('');
    lines.push(
      `Convoy affected benchmark — ${options.projects} projects, nx ${nxVersion}, node ${process.version}, ` +
        `${os.cpus().length} cpus, seed ${options.seed}`,
    );
    lines.push(
      `feature: ${synthetic.touchedFiles.length} files in ${synthetic.touchedProjects.join(', ')} → ${reference.names.length} affected projects ` +
        `(convoy == nx in every run ✓)`,
    );
    lines.push('');
    lines.push(`${'measurement'.padEnd(labelWidth)}  ${'runs'.padStart(4)}  ${'median'.padStart(8)}  ${'p90'.padStart(8)}  ${'min'.padStart(8)}  ${'max'.padStart(8)}`);
    lines.push('-'.repeat(labelWidth + 46));
    for (const { label, stats: s } of rows) {
      lines.push(
        `${label.padEnd(labelWidth)}  ${String(s.runs).padStart(4)}  ${ms(s.median).padStart(8)}  ${ms(s.p90).padStart(8)}  ` +
          `${ms(s.min).padStart(8)}  ${ms(s.max).padStart(8)}`,
      );
    }
    lines.push('(all times in ms)');
    lines.push('');
    const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
    lines.push(`convoy cold / nx cold   ${coldRatio.toFixed(2).padStart(8)}   goal ≤ ${GOAL_COLD_RATIO}    ${verdict(goals.coldRatio.pass)}`);
    lines.push(`  (in-process cold / nx cold: ${coldRatioInProcess.toFixed(2)})`);
    lines.push(`  (convoy cold / nx cold with NX_ISOLATE_PLUGINS=false: ${coldRatioSharedPlugins.toFixed(2)})`);
    lines.push(`convoy warm (ms)        ${ms(warmMs).padStart(8)}   goal ≤ ${GOAL_WARM_MS} ms  ${verdict(goals.warmMs.pass)}`);
    lines.push(`nx cold / convoy warm   ${`${speedup.toFixed(1)}×`.padStart(8)}`);
    if (warmCpuPerCall !== null) {
      lines.push(`  (convoy warm CPU per call, this process + git children: ${ms(warmCpuPerCall)} ms)`);
    }
    const loadEnd = os.loadavg();
    lines.push('');
    lines.push(
      `load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}; ` +
        `workspace generated in ${ms(generationMs)} ms; bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`,
    );
    for (const note of [...new Set(notes)]) lines.push(`note: ${note}`);
    console.log(lines.join('\n'));

    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    const report = {
      benchmark: 'affected',
      date: new Date().toISOString(),
      environment: {
        node: process.version,
        nx: nxVersion,
        platform: `${process.platform} ${os.release()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverageStart: loadStart,
        loadAverageEnd: loadEnd,
      },
      options: { projects: options.projects, seed: options.seed, maxDepsPerProject: options.maxDeps, runs: options.runs, warmCalls: options.warmCalls, runner: runner.kind },
      workspace: {
        touchedProjects: synthetic.touchedProjects,
        touchedFiles: synthetic.touchedFiles,
        affectedCount: reference.names.length,
        generationMs: Math.round(generationMs),
      },
      equal: true,
      rows: Object.fromEntries(rows.map(({ key, label, stats: s }) => [key, { label, ...s }])),
      ratios: { coldRatio, coldRatioInProcess, coldRatioSharedPlugins, warmMs, nxColdOverConvoyWarm: speedup, warmCpuPerCallMs: warmCpuPerCall },
      goals,
      notes: [...new Set(notes)],
      durationMs: Math.round(performance.now() - benchStart),
    };
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
    return 0;
  } catch (err) {
    if (err instanceof MismatchError) {
      console.error(`\nbench: FAIL — ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    for (const workspace of open) workspace.close();
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
