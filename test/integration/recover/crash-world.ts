// The crash test's world: a git copy of the example with its three services renamed into this run's
// image repositories (so nothing else is touched) and their tests left out (the crash points are about
// side effects, and a test container per release would only make it slow), on two commits whose images
// differ (A and B), with convoy.yaml walking two Kubernetes environments (namespaces on the Kubernetes
// API test server; the second needs approval) or one Docker target environment, waves of one service at
// a time so the kill lands in the same place every time. Real `convoy` processes (node bin/convoy.mjs)
// run the releases; the test reads the targets itself (the real adapters) to compare object by object.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createTargetFor } from '../../../electron/adapters/targets/target-factory.js';
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LiveRevision } from '../../../shared/release-report.js';
import { REPO_ROOT, type TestWorkspace, cleanEnv } from '../affected/fixtures.js';
import { exampleWithPricingChange } from '../release/example-copy.js';

export const CLI = path.join(REPO_ROOT, 'bin', 'convoy.mjs');
export const SERVICES = ['catalog-api', 'orders-api', 'storefront'] as const;
export const TAG = `cr${randomBytes(3).toString('hex')}`;

export interface CrashWorld {
  ws: TestWorkspace;
  dataDir: string;
  /** Commit A and commit B: every service's image differs between them. */
  commits: { a: string; b: string };
  environments: EnvironmentConfig[];
}

export function makeWorld(environments: EnvironmentConfig[], name: string): CrashWorld {
  const ws = exampleWithPricingChange();
  for (const service of SERVICES) {
    ws.editJson<{ convoy: { image: string; test?: unknown } }>(`services/${service}/package.json`, (json) => {
      json.convoy.image = `${TAG}-${name}/${service}`;
      delete json.convoy.test;
    });
  }
  const yaml = { deploy: { concurrency: 1, timeout: '2m' }, environments };
  const version = (v: string) => Object.fromEntries(SERVICES.map((s) => [`services/${s}/www/version.txt`, `${v}\n`]));
  const a = ws.commit('crash test: A', { 'convoy.yaml': JSON.stringify(yaml, null, 2), ...version('A') });
  const b = ws.commit('crash test: B', version('B'));
  const dataDir = path.join(ws.dir, '..', `data-${name}`);
  fs.mkdirSync(dataDir, { recursive: true });
  return { ws, dataDir, commits: { a, b }, environments };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `convoy ARGS --data DATA` as its own process; `crashAt` sets CONVOY_TEST_CRASH_AT. */
export function convoy(world: CrashWorld, args: string[], crashAt?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ NO_COLOR: '1', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...(crashAt ? { CONVOY_TEST_CRASH_AT: crashAt } : {}) });
    const child = spawn(process.execPath, [CLI, ...args, '--data', world.dataDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What runs now in every environment, per service, read with the real target adapters. */
export async function liveState(world: CrashWorld): Promise<Map<string, LiveRevision>> {
  const out = new Map<string, LiveRevision>();
  for (const environment of world.environments) {
    const target = createTargetFor(environment, world.ws.dir);
    try {
      for (const s of await target.status([...SERVICES])) out.set(`${environment.name}/${s.service}`, { revision: s.revision, image: s.image, state: s.state });
    } finally {
      await target.close?.();
    }
  }
  return out;
}

export function integrity(world: CrashWorld): string {
  const db = new Database(path.join(world.dataDir, 'convoy.db'), { readonly: true });
  try {
    return (db.pragma('integrity_check') as Array<Record<string, unknown>>).map((r) => String(Object.values(r)[0])).join('; ');
  } finally {
    db.close();
  }
}
