// The in-process app the contract-level release tests share: real Nx, git and SQLite store on a copy
// of the bundled example, with in-memory deploy targets (one per environment, kept across apps so a
// second app on the same data directory sees the same "cluster"), image builder and Docker status.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../../electron/app.js';
import { createClient } from '../../../shared/client.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { FakeDeployTarget } from '../../fakes/deploy-target.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';
import { RecordingBuilder } from '../../support/release-world.js';
import { type TestWorkspace, removeWorkspaces } from '../affected/fixtures.js';
import { exampleWithPricingChange } from './example-copy.js';

export interface FakeReleaseWorld {
  builder: RecordingBuilder;
  targets: Map<string, FakeDeployTarget>;
  /** A new app on the data directory (several may be open at once, as separate processes would be). */
  open(): App;
}

export function fakeReleaseWorld(ws: () => TestWorkspace, dataDir: () => string): FakeReleaseWorld {
  const builder = new RecordingBuilder();
  const targets = new Map<string, FakeDeployTarget>();
  const makeTarget = (environment: { name: string }) => {
    if (!targets.has(environment.name)) targets.set(environment.name, new FakeDeployTarget({ environment: environment.name }));
    return targets.get(environment.name)!;
  };
  return {
    builder,
    targets,
    open: () => createApp({ dataDir: dataDir(), workspace: ws().port, builder, docker: new FakeDockerEngine(), images: { imageId: async (ref) => builder.ids.get(ref) ?? null }, makeTarget }),
  };
}

/** Starts a release through `app` and resolves with its id once it waits for approval, and its end. */
export async function startUntilApproval(app: App, input: { dir: string; environment: string; base?: string; head?: string }): Promise<{ releaseId: string; run: Promise<ReleaseReport> }> {
  const client = createClient(app.channel());
  const waiting = new Promise<string>((resolve) => {
    const stop = client.on('release.updated', ({ report }) => {
      if (report.state === 'awaiting-approval') {
        stop();
        resolve(report.id);
      }
    });
  });
  const run = client.run('release.start', input);
  return { releaseId: await waiting, run };
}

export interface FakeReleaseFile extends FakeReleaseWorld {
  /** The example's copy (lib-pricing changed on `feature`), the data directory and the first app: set before the file's tests. */
  ws: TestWorkspace;
  dataDir: string;
  app: App;
}

/** A test file's world: made before its tests (a copy of the example, a fresh data directory, one app open), removed after. */
export function useFakeReleaseFile(prefix: string): FakeReleaseFile {
  const file = {} as FakeReleaseFile;
  Object.assign(
    file,
    fakeReleaseWorld(
      () => file.ws,
      () => file.dataDir,
    ),
  );
  beforeAll(() => {
    file.ws = exampleWithPricingChange();
    file.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    file.app = file.open();
  });
  afterAll(async () => {
    await file.app?.close();
    fs.rmSync(file.dataDir, { recursive: true, force: true });
    removeWorkspaces();
  });
  return file;
}
