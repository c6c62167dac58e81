// Release bench (`npm run bench:release`): the release engine (electron/core/release) taking 50
// services in 5 waves to the Kubernetes target over the API test server, whose pods become ready 1 s
// after they are created, so each rollout takes about a second. The goal: the waves run their services
// in parallel, so the wall time is ≤ 1.3 × 5 s (five one-second waves), printed with the ratio against
// the 50 s a one-service-at-a-time walk would take. Then the same commit again: 0 builds, 0 applies,
// its time printed as a ratio of the first. Exits 1 when a goal is missed. Builds are stand-ins (the
// bench measures deploys); results go to bench-results/release.json.
//
// Where the time went (it used to take ~95 s, ~170 s on a busy machine): the API test server's
// controllers copied every pod, replica set and deployment of the namespace for each object on every
// pass (~0.4 s a pass with 50 Deployments, every 100 ms tick and after every write), which starved the
// HTTP handlers in this same process; they now read the stored objects and copy only on write. The
// server also reports a pod ready when it is (not at the next tick), and the target's waitReady is
// woken by a watch on the Deployments, so the default 500 ms poll no longer adds up to half a second
// per wave. The stage times and the slowest service per wave are printed to show what is left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GatesConfig, type EnvironmentConfig } from '../../shared/config.js';
import { createKubeTarget } from '../../electron/adapters/kube/kube-target.js';
import { runRelease } from '../../electron/core/release/engine.js';
import { gateObjectFromDockerUnit } from '../../electron/core/release/gate-objects.js';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../electron/core/ports/image-builder.js';
import { startKubeApiServer } from '../kube-api-server/index.js';
import { FakeApprover, FakeLock, FakeRecorder } from '../fakes/release-run.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_FILE = path.join(REPO, 'bench-results', 'release.json');
const WAVES = 5;
const PER_WAVE = 10;
const ROLLOUT_MS = 1000;
const GOAL = 1.3;

const name = (wave: number, i: number) => `svc-${wave}-${i}`;
const services = Array.from({ length: WAVES }, (_, w) => Array.from({ length: PER_WAVE }, (_, i) => name(w, i))).flat();
// Each service of wave w deploys after one of wave w-1: five waves of ten.
const order = services.map((service) => {
  const [, w, i] = service.split('-').map(Number) as [unknown, number, number];
  return { service, after: w === 0 ? [] : [name(w - 1, i)] };
});

class StandInImages implements ImageBuilderPort {
  builds = 0;
  private readonly seen = new Set<string>();
  async contentHash(spec: BuildSpec) {
    return spec.project;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = `bench/${spec.project}:v1`;
    const cached = this.seen.has(image);
    if (!cached) this.builds++;
    this.seen.add(image);
    return { project: spec.project, image, contentHash: image, imageId: `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`, cached, durationMs: 0 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 0, logs: [] };
  }
}

function writeManifests(dir: string): void {
  for (const service of services) {
    fs.mkdirSync(path.join(dir, service), { recursive: true });
    fs.writeFileSync(
      path.join(dir, service, 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        `metadata: { name: ${service} }`,
        'spec:',
        '  replicas: 1',
        `  selector: { matchLabels: { app: ${service} } }`,
        '  template:',
        `    metadata: { labels: { app: ${service} } }`,
        '    spec:',
        `      containers: [{ name: ${service}, image: bench/${service}:latest }]`,
        '',
      ].join('\n'),
    );
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-release-'));
  const server = await startKubeApiServer({ podReadyAfterMs: ROLLOUT_MS });
  try {
    const kubeconfig = server.writeKubeconfig(path.join(tmp, 'kubeconfig'), { context: 'bench' });
    writeManifests(path.join(tmp, 'deploy'));
    const builder = new StandInImages();
    const target = createKubeTarget({ environment: 'bench', context: 'bench', namespace: 'bench', createNamespace: true, kubeconfigPath: kubeconfig });
    const config = { name: 'bench', target: { kind: 'kubernetes', context: 'bench', namespace: 'bench' }, rollback: 'auto', gates: GatesConfig.parse({}), env: {} } as EnvironmentConfig;

    const run = async (id: string) => {
      const started = performance.now();
      const report = await runRelease(
        {
          releaseId: id,
          workspace: tmp,
          target: 'bench',
          only: true,
          environments: [
            {
              settings: { name: 'bench', config, approvalRequired: false, rollback: 'auto', gates: config.gates, concurrency: PER_WAVE, timeoutMs: 60_000 },
              target,
              unit: (service, image) => ({ service, image, releaseId: id, commit: 'bench', manifestsDir: path.join(tmp, 'deploy', service), port: null, health: null, env: {} }),
              gateObjects: async (units) => units.map((u) => gateObjectFromDockerUnit('bench', u)),
            },
          ],
          select: async () => ({
            base: null,
            head: null,
            commit: 'bench',
            author: null,
            affected: services.map((project) => ({ project, explanation: 'bench' })),
            services,
            order,
            builds: services.map((project) => ({
              project,
              spec: { project, contextDir: tmp, dockerfile: 'Dockerfile', buildArgs: {}, repository: `bench/${project}`, labels: {} },
              problem: null,
              test: null,
            })),
          }),
        },
        {
          builder,
          images: { imageId: async (ref) => (await builder.build({ project: ref.split('/')[1]!.split(':')[0]!, contextDir: tmp, dockerfile: 'Dockerfile', buildArgs: {}, repository: '', labels: {} })).imageId },
          recorder: new FakeRecorder(),
          lock: new FakeLock(),
          approver: new FakeApprover(),
          clock: { now: () => new Date() },
          redact: (line) => line,
          buildConcurrency: 8,
        },
      );
      return { report, ms: performance.now() - started };
    };

    const first = await run("bench-1");
    const env = first.report.environments[0]!;
    const slowest = env.waves.map((_, i) => Math.max(...env.services.filter((s) => s.wave === i).map((s) => s.durationMs ?? 0)));
    if (first.report.state !== 'succeeded') throw new Error(`the first release ${first.report.state}: ${first.report.cause?.message ?? ''}`);
    const buildsBefore = builder.builds;
    const second = await run('bench-2');
    const ideal = WAVES * ROLLOUT_MS;
    const serial = services.length * ROLLOUT_MS;
    const result = {
      services: services.length,
      waves: first.report.environments[0]!.waves.length,
      firstMs: Math.round(first.ms),
      idealMs: ideal,
      ratioToIdeal: +(first.ms / ideal).toFixed(2),
      ratioToSerial: +(first.ms / serial).toFixed(3),
      secondMs: Math.round(second.ms),
      secondBuilds: builder.builds - buildsBefore,
      secondApplies: second.report.applies,
      secondRatioToFirst: +(second.ms / first.ms).toFixed(3),
    };
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`release: ${result.services} services in ${result.waves} waves, ${ROLLOUT_MS} ms rollouts`);
    console.log(`  first release  ${result.firstMs} ms = ${result.ratioToIdeal} × the ${ideal} ms of ${WAVES} parallel waves (goal ≤ ${GOAL}), ${result.ratioToSerial} × a serial ${serial} ms`);
    console.log(`  stages (ms): ${first.report.stages.map((s) => `${s.name} ${s.durationMs}`).join(', ')}; slowest service per wave: ${slowest.join(', ')}`);
    console.log(`  same commit    ${result.secondMs} ms = ${result.secondRatioToFirst} × the first; ${result.secondBuilds} builds, ${result.secondApplies} applies`);
    const missed = [
      ...(result.waves !== WAVES ? [`${result.waves} waves, not ${WAVES}`] : []),
      ...(result.ratioToIdeal > GOAL ? [`first release ${result.ratioToIdeal} × ideal > ${GOAL}`] : []),
      ...(result.secondBuilds !== 0 || result.secondApplies !== 0 ? ['the second release built or applied something'] : []),
    ];
    if (missed.length > 0) {
      console.error(`release bench: goal missed: ${missed.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
