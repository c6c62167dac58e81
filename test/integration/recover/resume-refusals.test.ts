// `convoy recover RELEASE --resume` refuses, with RESUME_REFUSED and nothing done, whenever resuming would
// deploy something other than what the release built and tested: it stopped before its images were
// built and the workspace is now at another commit, or an image it built is gone. The release stays
// interrupted (still resumable or rollbackable once the cause is fixed). In-process (runCli) over a real
// store and a real git workspace, with a fake target that records every call.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';
import { runCliInProcess } from '../../support/cli-in-process.js';
import { git } from '../affected/fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-resume-refusal-'));
  dirs.push(dir);
  return dir;
};

const target = new FakeDeployTarget({ environment: 'local' });

function workspace(): { dir: string; head: string } {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'convoy.yaml'), 'environments:\n  - name: local\n    target: { kind: docker }\n');
  fs.writeFileSync(path.join(dir, 'nx.json'), '{}\n');
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "ws", "private": true }\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return { dir, head: git(dir, 'rev-parse', 'HEAD') };
}

function report(ws: string, over: Partial<ReleaseReport>): ReleaseReport {
  return {
    id: 'rel-1', workspace: ws, target: 'local', only: false, base: null, head: null, commit: null, author: null, state: 'running', cause: null,
    startedAt: '2026-12-04T10:00:00.000Z', finishedAt: null, affected: [], services: [], order: [], images: [], pushes: [], buildCalls: 0, applies: 0, stages: [],
    environments: [{ name: 'local', kind: 'docker', state: 'pending', waves: [], skipped: [], gates: null, diff: null, approval: { required: false, state: 'not-required', by: null, at: null, comment: null }, services: [], rollbacks: [], live: [], cause: null }],
    ...over,
  };
}

/** A store holding release rel-1, left running by a process that is gone (so the next open interrupts it). */
async function interrupted(record: ReleaseReport): Promise<string> {
  const dataDir = tmp();
  const app = createApp({ dataDir, docker: new FakeDockerEngine() });
  app.store.createRun({ id: 'rel-1', kind: 'release', workspace: record.workspace, environment: 'local', base: null, head: null, status: 'running', owner: { pid: 999_999_9, startedAt: 'gone', host: os.hostname() } });
  app.store.appendEvent('rel-1', 'release.report', record);
  await app.close();
  return dataDir;
}

const convoy = (dataDir: string, args: string[]) => runCliInProcess(dataDir, args, { docker: new FakeDockerEngine(), makeTarget: () => target, images: { imageId: async () => null } });

describe('convoy recover --resume refusals', () => {
  it('refuses when the release stopped before its images were built and the workspace moved to another commit', async () => {
    const ws = workspace();
    const dataDir = await interrupted(report(ws.dir, { commit: 'a'.repeat(40) }));
    const result = await convoy(dataDir, ['recover', 'rel-1', '--resume', '--yes']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('rel-1 was left running and is now interrupted');
    expect(result.stderr).toMatch(new RegExp(`workspace moved from commit a{40} to ${ws.head}.*Check out a{40} to resume, or roll back.*nothing was done \\[RESUME_REFUSED\\]`));
    expect(target.calls).toEqual([]);
    const after = await convoy(dataDir, ['recover', '--json']);
    expect((JSON.parse(after.stdout) as { releases: { releaseId: string }[] }).releases.map((r) => r.releaseId)).toEqual(['rel-1']);
  });

  it('lists an open per-object step with the object it names (text and --json)', async () => {
    const ws = workspace();
    const dataDir = await interrupted(report(ws.dir, { commit: ws.head }));
    const app = createApp({ dataDir, docker: new FakeDockerEngine() });
    app.store.recordIntent({ runId: 'rel-1', stageId: null, kind: 'target.applyObject', target: 'local/api', detail: { object: 'Deployment shop/api', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api', before: { exists: false, resourceVersion: null, generation: null, release: null } } });
    await app.close();
    const listed = await convoy(dataDir, ['recover', '--json']);
    expect((JSON.parse(listed.stdout) as { releases: Array<{ openSteps: unknown[] }> }).releases[0]!.openSteps).toEqual([{ kind: 'target.applyObject', target: 'local/api', object: 'Deployment shop/api' }]);
    const text = await convoy(dataDir, ['recover']);
    expect(text.stdout).toContain('may or may not have happened (intent, no result): target.applyObject local/api (Deployment shop/api)');
  });

  it('refuses when an image the release built and tested is gone, rather than rebuilding it', async () => {
    const ws = workspace();
    const image = { service: 'api', image: 'shop/api:1234', imageId: 'sha256:abcd', build: 'built' as const, test: 'passed' as const, durationMs: 1, error: null };
    const dataDir = await interrupted(report(ws.dir, { commit: ws.head, services: ['api'], images: [image] }));
    const result = await convoy(dataDir, ['recover', 'rel-1', '--resume', '--yes']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/api's image shop\/api:1234 is gone from the Docker Engine; resuming would have to rebuild it.*\[RESUME_REFUSED\]/);
    expect(target.calls).toEqual([]);
  });
});
