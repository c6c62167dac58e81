// The contract every transport must honour, written once and run over each of them (in-process,
// IPC through a fake Electron bridge, WebSocket): same commands, same errors, same events.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../../electron/app.js';
import type { WorkspacePort } from '../../../electron/core/ports/workspace.js';
import { nxWorkspace } from '../../support/nx-workspace.js';
import type { ConvoyClient } from '../../../shared/client.js';
import { type CallResult, MAX_MESSAGE_BYTES } from '../../../shared/contract.js';
import { AppInfo } from '../../../shared/domain.js';
import { ConvoyError, type ErrorCode } from '../../../shared/errors.js';

export interface ContractConnection {
  client: ConvoyClient;
  close(): Promise<void>;
}

export interface ContractSuiteOptions {
  /** What app.info must report as `transport` over this transport. */
  expectedTransport: 'in-process' | 'websocket' | 'ipc';
  /**
   * How this transport answers an input larger than MAX_MESSAGE_BYTES. Default: a result
   * `{ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } }`. Give `expectCode` for another code, or
   * `check` to judge the attempt yourself (it may reject, e.g. when a server refuses the frame).
   */
  oversized?: {
    expectCode?: ErrorCode;
    check?: (attempt: Promise<CallResult<unknown>>) => Promise<void>;
  };
  /**
   * Whether the failing workspace.open job reports progress before it fails (true when the app
   * was built with `contractAppOptions`, whose workspace announces itself). Default true.
   */
  expectProgress?: boolean;
}

/** A directory that certainly does not exist. */
export const MISSING_DIR = path.join(os.tmpdir(), 'convoy-contract-missing', 'no-such-workspace');

/** A fresh, empty data directory; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export function tempDataDir(prefix = 'convoy-contract-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Wraps a workspace port so that every open() reports one progress step before it starts. */
export function announcingWorkspace(inner: WorkspacePort): WorkspacePort {
  return {
    open(dir, options) {
      options.progress?.(`opening ${path.basename(dir)}`, 0);
      return inner.open(dir, options);
    },
    affected: (query, options) => inner.affected(query, options),
    // The app stops the Nx host processes through this when it closes.
    close: () => inner.close?.(),
  };
}

/** This checkout's node_modules: the small workspace below resolves nx from it. */
const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** The two projects of the small workspace: web depends on util (a package.json dependency). */
export const SMALL_WORKSPACE_PROJECTS = { web: '@contract/web', util: '@contract/util' } as const;

/**
 * A small real Nx workspace (package-based, npm workspaces) in a fresh temp git repository:
 * @contract/web → @contract/util. node_modules is a link to this checkout's and is git-ignored.
 * Returns its real path; remove it with `fs.rmSync(path.dirname(dir), { recursive: true, force: true })`.
 */
export function createSmallWorkspace(): string {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-contract-ws-')));
  const dir = path.join(base, 'ws');
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
    'package.json': json({ name: 'contract-ws', version: '0.0.0', private: true, workspaces: ['packages/*'] }),
    'nx.json': json({ $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' }),
    '.gitignore': 'node_modules\n.nx\n',
    'packages/util/package.json': json({ name: SMALL_WORKSPACE_PROJECTS.util, version: '1.0.0', private: true, main: 'index.js' }),
    'packages/util/index.js': "export const util = 'util';\n",
    'packages/web/package.json': json({
      name: SMALL_WORKSPACE_PROJECTS.web,
      version: '1.0.0',
      private: true,
      main: 'index.js',
      dependencies: { [SMALL_WORKSPACE_PROJECTS.util]: '*' },
    }),
    'packages/web/index.js': "import { util } from '@contract/util';\nexport const web = `web:${util}`;\n",
  };
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  for (const key of Object.keys(env)) if (key.startsWith('GIT_') && key !== 'GIT_CONFIG_NOSYSTEM' && key !== 'GIT_TERMINAL_PROMPT') delete env[key];
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}

/**
 * createApp options for a contract run: the real Nx workspace adapter (announcing itself, see
 * announcingWorkspace) and a Docker Engine that answers at once, so runs do not depend on Docker.
 */
export function contractAppOptions(dataDir: string): AppOptions {
  return {
    dataDir,
    docker: {
      status: async () => ({ reachable: false, endpoint: 'unix:///contract/docker.sock', version: null, error: 'not used by the contract suite' }),
    },
    workspace: announcingWorkspace(nxWorkspace({ cacheDir: path.join(dataDir, 'cache', 'graphs') })),
  };
}

function waitFor<T>(what: string, subscribe: (resolve: (value: T) => void) => () => void, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let off: () => void = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

export function runContractSuite(
  label: string,
  connect: () => Promise<ContractConnection>,
  options: ContractSuiteOptions,
): void {
  describe(label, () => {
    let connection: ContractConnection;
    let client: ConvoyClient;
    let workspaceDir: string | null = null;

    /** The small Nx workspace, made on first use and shared by this suite's tests. */
    function smallWorkspace(): string {
      workspaceDir ??= createSmallWorkspace();
      return workspaceDir;
    }

    beforeAll(() => {
      workspaceDir = null;
    });

    afterAll(() => {
      if (workspaceDir) fs.rmSync(path.dirname(workspaceDir), { recursive: true, force: true });
    });

    beforeEach(async () => {
      connection = await connect();
      client = connection.client;
    });

    afterEach(async () => {
      await connection?.close();
    });

    /** The process is still serving: a plain good request answers. */
    async function stillServing(): Promise<void> {
      await expect(client.call('history.list', {})).resolves.toEqual({ runs: [] });
    }

    async function expectError(name: string, input: unknown, code: ErrorCode, mentions?: RegExp): Promise<void> {
      const result = await client.raw(name, input);
      expect(result.ok, `${name} ${JSON.stringify(input).slice(0, 80)} should fail`).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(code);
      expect(typeof result.error.message).toBe('string');
      if (mentions) expect(result.error.message).toMatch(mentions);
    }

    it(`app.info answers a valid AppInfo with transport "${options.expectedTransport}"`, async () => {
      const info = await client.call('app.info', {});
      expect(AppInfo.safeParse(info).success).toBe(true);
      expect(info.name).toBe('convoy');
      expect(info.transport).toBe(options.expectedTransport);
      expect(info.dataDir.length).toBeGreaterThan(0);
      expect(Number.isInteger(info.storeSchemaVersion)).toBe(true);
    });

    it('history.list on a fresh data dir is empty, with the default and an explicit limit', async () => {
      await expect(client.call('history.list', {})).resolves.toEqual({ runs: [] });
      await expect(client.call('history.list', { limit: 5 })).resolves.toEqual({ runs: [] });
    });

    it('an unknown command answers UNKNOWN_COMMAND, and the process keeps serving', async () => {
      await expectError('release.launchMissiles', {}, 'UNKNOWN_COMMAND', /release\.launchMissiles/);
      await stillServing();
      await expectError('__proto__', {}, 'UNKNOWN_COMMAND');
      await expectError('toString', {}, 'UNKNOWN_COMMAND');
      await stillServing();
    });

    it('input failing the schema answers INVALID_INPUT naming the field, and the process keeps serving', async () => {
      await expectError('history.list', { limit: -1 }, 'INVALID_INPUT', /limit/);
      await stillServing();
      await expectError('history.list', { limit: 'x' }, 'INVALID_INPUT', /limit/);
      await stillServing();
      await expectError('history.list', { limit: 10, extra: true }, 'INVALID_INPUT', /extra/);
      await stillServing();
      await expectError('job.cancel', {}, 'INVALID_INPUT', /jobId/);
      await expectError('affected.compute', { dir: '/w', base: '--upload-pack=evil' }, 'INVALID_INPUT', /base/);
      await expectError('app.info', 42, 'INVALID_INPUT');
      await stillServing();
      // The typed client refuses the same way, as a ConvoyError.
      await expect(client.call('history.list', { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('input larger than MAX_MESSAGE_BYTES is refused before the schema, and the process keeps serving', async () => {
      // The schema would refuse this dir too (max 4096), but the size check must come first.
      const huge = { dir: 'x'.repeat(2 * 1024 * 1024) };
      expect(JSON.stringify(huge).length).toBeGreaterThan(MAX_MESSAGE_BYTES);
      const attempt = client.raw('workspace.open', huge);
      if (options.oversized?.check) {
        await options.oversized.check(attempt);
      } else {
        const result = await attempt;
        expect(result).toMatchObject({ ok: false, error: { code: options.oversized?.expectCode ?? 'MESSAGE_TOO_LARGE' } });
      }
      await stillServing();
    });

    it('a job answers its id at once, then job.finished with WORKSPACE_ERROR for a missing dir', async () => {
      const finished = new Map<string, unknown>();
      const progress: unknown[] = [];
      const offFinished = client.on('job.finished', (event) => finished.set(event.jobId, event));
      const offProgress = client.on('job.progress', (event) => progress.push(event));
      try {
        const jobId = await client.start('workspace.open', { dir: MISSING_DIR });
        expect(typeof jobId).toBe('string');
        expect(jobId.length).toBeGreaterThan(0);
        const event = await waitFor<unknown>(`job.finished for ${jobId}`, (resolve) => {
          const poll = setInterval(() => finished.has(jobId) && resolve(finished.get(jobId)), 5);
          return () => clearInterval(poll);
        });
        expect(event).toMatchObject({ jobId, command: 'workspace.open', ok: false, error: { code: 'WORKSPACE_ERROR' } });
        expect((event as { error: { message: string } }).error.message).toContain('no-such-workspace');
        if (options.expectProgress ?? true) {
          expect(progress).toContainEqual(expect.objectContaining({ jobId, command: 'workspace.open' }));
        }
        for (const step of progress) expect(step).toMatchObject({ command: 'workspace.open' });
      } finally {
        offFinished();
        offProgress();
      }
      await stillServing();
    });

    it('client.run of the failing job rejects with a ConvoyError WORKSPACE_ERROR, reporting progress', async () => {
      const seen: string[] = [];
      const run = client.run('workspace.open', { dir: MISSING_DIR }, (step) => seen.push(step.message));
      await expect(run).rejects.toBeInstanceOf(ConvoyError);
      await expect(run).rejects.toMatchObject({ code: 'WORKSPACE_ERROR' });
      if (options.expectProgress ?? true) expect(seen.length).toBeGreaterThan(0);
      await stillServing();
    });

    it('workspace.open of a real Nx workspace succeeds: progress, job.finished and the graph with its edge', async () => {
      const dir = smallWorkspace();
      const { web, util } = SMALL_WORKSPACE_PROJECTS;
      const progress: Array<{ jobId: string; command: string; message: string; fraction: number | null }> = [];
      const finished: Array<{ jobId: string; ok: boolean }> = [];
      const opened: unknown[] = [];
      const offProgress = client.on('job.progress', (event) => progress.push(event));
      const offFinished = client.on('job.finished', (event) => finished.push(event));
      const offOpened = client.on('workspace.opened', (event) => opened.push(event));
      const seen: string[] = [];
      try {
        const graph = await client.run('workspace.open', { dir }, (step) => seen.push(step.message));
        expect(graph.root).toBe(dir);
        expect(graph.cached).toBe(false);
        expect(graph.nxVersion).toMatch(/^\d+\.\d+\.\d+/);
        expect(graph.projects.map((p) => p.name).sort()).toEqual([util, web].sort());
        const webProject = graph.projects.find((p) => p.name === web);
        const utilProject = graph.projects.find((p) => p.name === util);
        expect(webProject?.root).toBe('packages/web');
        expect(webProject?.dependencies).toEqual([util]);
        expect(utilProject?.dependencies).toEqual([]);

        // Progress reached run()'s callback and every subscriber, for this job only, in order.
        const jobId = finished.find((event) => event.ok)?.jobId;
        expect(jobId).toBeDefined();
        const steps = progress.filter((event) => event.jobId === jobId);
        expect(steps.length).toBeGreaterThanOrEqual(2);
        expect(steps.map((event) => event.message)).toEqual(seen);
        for (const step of steps) expect(step.command).toBe('workspace.open');
        expect(seen[0]).toBe('opening ws');
        expect(seen.at(-1)).toMatch(/2 projects/);
        expect(steps.at(-1)?.fraction).toBe(1);
        expect(finished.filter((event) => event.jobId === jobId)).toEqual([expect.objectContaining({ jobId, command: 'workspace.open', ok: true })]);
        expect(opened).toContainEqual({ root: dir, projects: 2, cached: false });

        // A second open on the same connection answers from the cache, still as a successful job.
        const again = await client.run('workspace.open', { dir });
        expect(again.cached).toBe(true);
        expect(again.projects.map((p) => p.name).sort()).toEqual([util, web].sort());
      } finally {
        offProgress();
        offFinished();
        offOpened();
      }
      await stillServing();
    }, 120_000);

    it('job.cancel of an unknown id answers { cancelled: false }', async () => {
      await expect(client.call('job.cancel', { jobId: 'no-such-job' })).resolves.toEqual({ cancelled: false });
    });

    it('several calls in flight at once each get their own answer', async () => {
      const answers = await Promise.all([
        client.call('history.list', { limit: 1 }),
        client.raw('nope', {}),
        client.call('app.info', {}),
        client.raw('history.list', { limit: -5 }),
        client.call('job.cancel', { jobId: 'x' }),
      ]);
      expect(answers[0]).toEqual({ runs: [] });
      expect(answers[1]).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
      expect(answers[2]).toMatchObject({ transport: options.expectedTransport });
      expect(answers[3]).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(answers[4]).toEqual({ cancelled: false });
    });
  });
}
