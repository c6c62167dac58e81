// `convoy release`, `convoy history` and `convoy show` in-process (runCli) on a git copy of the example,
// with the real Nx, git and SQLite store and in-memory targets and builder: a release that needs
// approval is refused without a terminal or --yes (exit 1, nothing done), --yes approves up front,
// a terminal is asked (yes deploys, no rejects with exit 1), and a re-release says nothing was done.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { runCli } from '../../../electron/cli/main.js';
import type { CliContext } from '../../../electron/cli/context.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';
import { RecordingBuilder } from '../../support/release-world.js';
import { type TestWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from '../release/example-copy.js';

let ws: TestWorkspace;
let dataDir: string;
const builder = new RecordingBuilder();
const targets = new Map<string, FakeDeployTarget>();

beforeAll(() => {
  ws = exampleWithPricingChange();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-release-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeWorkspaces();
});

async function convoy(args: string[], options: { interactive?: boolean; answers?: string[] } = {}) {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const ctx: CliContext = {
    openApp: () =>
      createApp({
        dataDir,
        workspace: ws.port,
        builder,
        docker: new FakeDockerEngine(),
        images: { imageId: async (ref) => builder.ids.get(ref) ?? null },
        makeTarget: (environment) => {
          if (!targets.has(environment.name)) targets.set(environment.name, new FakeDeployTarget({ environment: environment.name }));
          return targets.get(environment.name)!;
        },
      }),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    interactive: options.interactive ?? false,
    env: {},
    onInterrupt: () => () => {},
    ...(options.answers ? { ask: async (question: string) => (asked.push(question), options.answers!.shift() ?? '') } : {}),
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr, asked };
}

const scope = () => ['-w', ws.dir, '--base', 'main', '--head', 'feature'];
const applies = () => [...targets.values()].flatMap((t) => t.calls.filter((c) => c.method === 'apply')).length;

describe('convoy release (CLI)', { timeout: 60_000 }, () => {
  it('refuses a release that needs approval without a terminal or --yes, before doing anything', async () => {
    const result = await convoy(['release', '--env', 'staging', ...scope()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('staging needs approval');
    expect(result.stderr).toContain('--yes');
    expect(result.stderr).toContain('[APPROVAL_REQUIRED]');
    expect(applies()).toBe(0);
  });

  it('--yes approves up front; --json prints the record', async () => {
    const result = await convoy(['release', '--env', 'staging', '--yes', '--json', ...scope()]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReleaseReport;
    expect(report.state).toBe('succeeded');
    expect(report.environments[1]!.approval.by).toContain('(--yes)');
    expect(applies()).toBe(6);
  });

  it('in a terminal it asks: no rejects (exit 1, nothing applied there), yes deploys', async () => {
    for (const s of ['catalog-api', 'orders-api', 'storefront']) builder.setContent(path.join(ws.dir, 'services', s), 'v2');
    const before = applies();
    const rejected = await convoy(['release', '--env', 'staging', ...scope()], { interactive: true, answers: ['n'] });
    expect(rejected.asked).toEqual(['Deploy to staging? [y/N] ']);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('REJECTED');
    expect(applies()).toBe(before + 3); // local only
    const approved = await convoy(['release', '--env', 'staging', ...scope()], { interactive: true, answers: ['y'] });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^Release \S+ → staging: SUCCEEDED$/m);
    expect(approved.stdout).toMatch(/approval: approved by \S+/);
  });

  it('a re-release says nothing was built or applied; history and show read it back', async () => {
    const again = await convoy(['release', '--env', 'local', ...scope()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing was built and nothing was applied');
    expect(again.stderr).toContain('convoy release: release succeeded');
    // Its tests passed in an earlier release (recorded in the SQLite store) on the same images: none ran.
    expect(again.stdout).toContain('No test was run: each passed before');
    const id = /^Release (\S+) →/m.exec(again.stdout)![1]!;
    const record = await convoy(['show', id, '--json']);
    expect(JSON.parse(record.stdout)).toMatchObject({ buildCalls: 0, testRuns: 0, applies: 0 });

    const history = await convoy(['history', '--json']);
    const runs = (JSON.parse(history.stdout) as { runs: Array<{ id: string; kind: string; status: string }> }).runs;
    expect(runs.filter((r) => r.kind === 'release').map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'cancelled', 'succeeded']);
    const inStaging = await convoy(['history', '--env', 'staging']);
    expect(inStaging.stdout).not.toContain(id);

    const show = await convoy(['show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Time per stage:');
    expect(show.stdout).toContain('storefront ← catalog-api ← lib-pricing');
    const missing = await convoy(['show', 'no-such-release']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[NOT_FOUND]');
  });
});
