// `convoy recover` on bad input, in-process (runCli) over a real store: a release that is not
// interrupted, an unknown release, a build run, both actions at once or an action without a release
// are refused with exit 2 and a message saying what to do, and nothing is applied (the fake target
// records no call); a store from a newer Convoy and a data directory that cannot be written are refused
// with their store error (exit 1). With nothing interrupted, the list says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';
import { runCliInProcess } from '../../support/cli-in-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-recover-cli-'));
  dirs.push(dir);
  return dir;
};

const target = new FakeDeployTarget({ environment: 'staging' });

const convoy = (dataDir: string, args: string[]) => runCliInProcess(dataDir, args, { docker: new FakeDockerEngine(), makeTarget: () => target });

async function seeded(): Promise<string> {
  const dataDir = tmp();
  const app = createApp({ dataDir, docker: new FakeDockerEngine() });
  app.store.createRun({ id: 'rel-done', kind: 'release', workspace: '/w', environment: 'staging', base: null, head: null, status: 'running' });
  app.store.finishRun('rel-done', 'succeeded');
  app.store.createRun({ id: 'build-1', kind: 'build', workspace: '/w', base: null, head: null, status: 'running' });
  app.store.finishRun('build-1', 'failed');
  await app.close();
  return dataDir;
}

describe('convoy recover: bad input', () => {
  it('lists nothing when no release is interrupted', async () => {
    const result = await convoy(await seeded(), ['recover']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No interrupted releases: nothing to recover.\n');
  });

  it.each([
    [['recover', 'rel-done', '--resume'], /Release rel-done is succeeded, not interrupted.*nothing was done \[INVALID_INPUT\]/],
    [['recover', 'rel-done', '--rollback'], /Release rel-done is succeeded, not interrupted.*convoy undo/],
    [['recover', 'nope', '--resume'], /No release nope in history.*\[NOT_FOUND\]/],
    [['recover', 'build-1', '--rollback'], /build-1 is a build run, not a release/],
    [['recover', 'rel-done'], /release rel-done is not interrupted \(succeeded\)/],
    [['recover', 'rel-done', '--resume', '--rollback'], /choose one of --resume and --rollback/],
    [['recover', '--resume'], /name the release/],
  ])('convoy %j is refused with exit 2, nothing applied', async (args, message) => {
    const dataDir = await seeded();
    const result = await convoy(dataDir, args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(target.calls).toEqual([]);
  });

  it('refuses a store written by a newer Convoy, leaving it unchanged', async () => {
    const dataDir = await seeded();
    const file = path.join(dataDir, 'convoy.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    const size = fs.statSync(file).size;
    const result = await convoy(dataDir, ['recover', 'rel-done', '--resume']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/schema version 99, newer than this Convoy supports.*\[STORE_NEWER_SCHEMA\]/);
    expect(fs.statSync(file).size).toBe(size);
    expect(target.calls).toEqual([]);
  });

  it('refuses a data directory it cannot write', async () => {
    const result = await convoy('/proc/convoy-recover-test', ['recover']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot use \/proc\/convoy-recover-test as its data directory.*\[STORE_UNWRITABLE\]/);
  });
});
