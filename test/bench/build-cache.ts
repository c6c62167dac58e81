// Build bench (issue 4): the example workspace's services built twice in the real Docker Engine.
// The first build is made cold for Convoy's content cache AND for Docker's layer cache (a per-run id in
// each service's files), the second has no source change: it must make zero build calls and take at
// most a tenth of the first. Both are measured in the same run, through the same `build.run` job the
// CLI uses, with and without the in-image tests. Build calls are counted at the engine (its `image tag`
// events for the bench's repositories), not taken from Convoy's own report. A missed goal is printed,
// not thrown.
// Results: bench-results/build.json.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { createApp } from '../../electron/app.js';
import { dockerEndpoint, dockerOptions } from '../../electron/adapters/docker/docker-engine.js';
import { createClient } from '../../shared/client.js';
import type { BuildReport } from '../../shared/domain.js';
import { engineTags, tagsWithin } from './engine-events.js';
import { REPO, SERVICES, copyExample } from './example-copy.js';
import { writeResults } from './results.js';

const RESULTS_FILE = path.join(REPO, 'bench-results', 'build.json');
const GOAL_RATIO = 0.1;

interface Round {
  ms: number;
  report: BuildReport;
  /** Wall-clock window of the round, to attribute the engine's events to it. */
  window: [number, number];
  /** Builds the engine made in the round (filled in once every round is over). */
  engineBuilds: number;
}

async function timed(run: () => Promise<BuildReport>): Promise<Round> {
  const startedAt = Date.now();
  const start = performance.now();
  const report = await run();
  return { ms: performance.now() - start, report, window: [startedAt, Date.now()], engineBuilds: -1 };
}

async function main(): Promise<number> {
  const docker = new Docker({ ...dockerOptions(dockerEndpoint()), timeout: 5000 });
  try {
    await docker.ping();
  } catch (err) {
    console.error(`bench build: Docker Engine not reachable at ${dockerEndpoint()} (${String(err)}) — start it, or run bash .ci/run`);
    return 1;
  }
  const runId = randomBytes(4).toString('hex');
  const prefix = `convoy-bench-${runId}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-build-'));
  const ws = path.join(tmp, 'shop');
  const app = createApp({ dataDir: path.join(tmp, 'data') });
  try {
    copyExample(ws, prefix, runId);
    const client = createClient(app.channel());
    const concurrency = Math.max(1, os.availableParallelism());
    const run = (projects: string[]) => () => client.run('build.run', { dir: ws, projects, concurrency });
    // With tests, the second round answers them from the data directory's remembered passes (same
    // image IDs, commands, environments, timeouts); the build-only rows use a workspace copy whose
    // services declare no test, so they measure the image builds alone.
    console.log(`bench build: ${SERVICES.length} example services, concurrency ${concurrency}, Docker ${(await docker.version()).Version}`);
    const first = await timed(run(SERVICES));
    const second = await timed(run(SERVICES));
    for (const { report } of [first, second]) {
      if (!report.ok) throw new Error(`build failed: ${JSON.stringify(report.projects.map((p) => [p.project, p.status, p.error?.message]))}`);
    }

    const noTests = path.join(tmp, 'shop-no-tests');
    copyExample(noTests, `${prefix}-b`, `${runId}-b`);
    for (const service of SERVICES) {
      const pkgFile = path.join(noTests, 'services', service, 'package.json');
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { convoy: Record<string, unknown> };
      delete pkg.convoy.test;
      fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    }
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qam', 'no tests'], { cwd: noTests });
    const buildOnly = (projects: string[]) => () => client.run('build.run', { dir: noTests, projects, concurrency });
    const firstBuild = await timed(buildOnly(SERVICES));
    const secondBuild = await timed(buildOnly(SERVICES));

    // What the engine saw: every build it made tagged one of the bench's images.
    const tags = await engineTags(docker, prefix, first.window[0], secondBuild.window[1]);
    for (const round of [first, second, firstBuild, secondBuild]) round.engineBuilds = tagsWithin(tags, ...round.window);
    if (first.engineBuilds === 0 || firstBuild.engineBuilds === 0) {
      throw new Error('the engine reported no image tag events for the cold rounds: the engine-side count cannot be trusted');
    }

    const ratio = secondBuild.ms / firstBuild.ms;
    const ratioWithTests = second.ms / first.ms;
    const pass = ratio <= GOAL_RATIO && secondBuild.engineBuilds === 0 && second.engineBuilds === 0;
    const row = (label: string, r: Round) =>
      `${label.padEnd(34)} ${r.ms.toFixed(0).padStart(7)} ms   engine builds ${r.engineBuilds} (Convoy says ${r.report.buildCalls})   ${r.report.projects.map((p) => p.status).join(', ')}`;
    console.log(row('build + test, first', first));
    console.log(row('build + test, second (no change)', second));
    console.log(row('build only, first', firstBuild));
    console.log(row('build only, second (no change)', secondBuild));
    console.log(`second / first, build only          ${ratio.toFixed(3)}   goal ≤ ${GOAL_RATIO}, engine builds in second = 0   ${pass ? 'PASS' : 'MISS'}`);
    console.log(`second / first, with tests          ${ratioWithTests.toFixed(3)}   (informational: the second round's tests are remembered passes)`);
    writeResults(RESULTS_FILE, {
      services: SERVICES,
      concurrency,
      ms: { first: first.ms, second: second.ms, firstBuildOnly: firstBuild.ms, secondBuildOnly: secondBuild.ms },
      engineBuilds: { first: first.engineBuilds, second: second.engineBuilds, firstBuildOnly: firstBuild.engineBuilds, secondBuildOnly: secondBuild.engineBuilds },
      buildCalls: { first: first.report.buildCalls, second: second.report.buildCalls, firstBuildOnly: firstBuild.report.buildCalls, secondBuildOnly: secondBuild.report.buildCalls },
      ratios: { buildOnly: ratio, withTests: ratioWithTests },
      goal: { ratio: GOAL_RATIO, buildsInSecond: 0, pass },
    });
    // A build in the second round is a wrong answer (the cache missed), not a slow one: fail the bench.
    if (second.engineBuilds > 0 || secondBuild.engineBuilds > 0) {
      console.error('bench build: FAIL — the engine built images in the second round, with no source change');
      return 1;
    }
    return 0;
  } finally {
    await app.close();
    const images = await docker.listImages({ filters: JSON.stringify({ reference: [`${prefix}/*`, `${prefix}-b/*`] }) });
    for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench build: error — ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
