// Shared helpers for the image builder tests against a real Docker Engine (image-builder*.test.ts):
// per-run names, temporary build contexts, build specs, and one suite setup that connects, counts
// build calls and cleans up after itself.
//
// Every image is tagged under a per-run repository prefix and every test container carries a
// per-run label; the suite's afterAll removes them all, plus the untagged layers failed builds leave
// behind. Each call of useEngineSuite() gets its own run id, so test files never clean up each other.
// Without a reachable engine the suite is skipped on a developer machine but FAILS when CI is set
// (describe.skipIf(skipDocker) in the test file, requireDocker() in the beforeAll here).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, vi } from 'vitest';
import { dockerOptions } from '../../../electron/adapters/docker/docker-engine.js';
import { createImageBuilder } from '../../../electron/adapters/docker/image-builder.js';
import type { BuildSpec, ImageBuilderPort } from '../../../electron/core/ports/image-builder.js';
import { ConvoyError } from '../../../shared/errors.js';
import { endpoint, requireDocker } from '../../support/docker-engine.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CATALOG_DIR = path.join(REPO_ROOT, 'examples', 'shop', 'services', 'catalog-api');
export const BASE_IMAGE = 'busybox:1.36.1';
export const RUN_LABEL = 'dev.convoy.test-run';

export const BUILD_TIMEOUT_MS = 60_000;
export const CANCEL_SETTLE_MS = 20_000;

export const noSecrets = (line: string) => line;

/** A fresh run id and the image repository prefix that goes with it. */
export function newRun(): { runId: string; repoPrefix: string } {
  const runId = randomBytes(4).toString('hex');
  return { runId, repoPrefix: `convoy-test-${runId}` };
}

export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export async function rejection(work: Promise<unknown>): Promise<ConvoyError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with a ConvoyError');
}

/** Temporary build contexts: makeContext writes the files, removeContexts deletes every one made. */
export function tempContexts(): {
  makeContext: (files: Record<string, string>) => Promise<string>;
  removeContexts: () => Promise<void>;
} {
  const tempDirs: string[] = [];
  return {
    makeContext: async (files) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'convoy-build-'));
      tempDirs.push(dir);
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
        await writeFile(path.join(dir, rel), content);
      }
      return dir;
    },
    removeContexts: async () => {
      await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export interface EngineSuite {
  readonly runId: string;
  readonly repoPrefix: string;
  /** Connected in beforeAll. */
  readonly docker: Docker;
  /** Built in beforeAll, with the per-run label on every test container. */
  readonly builder: ImageBuilderPort;
  /** How many times docker.buildImage has been called. */
  readonly buildCalls: () => number;
  readonly makeContext: (files: Record<string, string>) => Promise<string>;
  /** onLog that also remembers layer ids for cleanup. */
  readonly collect: (into?: string[]) => (line: string) => void;
  readonly spec: (project: string, contextDir: string, extra?: Partial<BuildSpec>) => BuildSpec;
  readonly imageExists: (ref: string) => Promise<boolean>;
  readonly runLabelledContainers: () => Promise<Docker.ContainerInfo[]>;
}

/** Call inside a `describe.skipIf(skipDocker)`: registers the suite's beforeAll and afterAll. */
export function useEngineSuite(): EngineSuite {
  const { runId, repoPrefix } = newRun();
  const { makeContext, removeContexts } = tempContexts();
  let docker: Docker | undefined;
  let builder: ImageBuilderPort | undefined;
  let countBuildCalls: (() => number) | undefined;
  let connected = false;
  /** Ids from ` ---> <id>` lines: layers a failed build may leave untagged. */
  const layerIds = new Set<string>();

  function engine(): Docker {
    if (!docker) throw new Error('the Docker client is not connected yet (beforeAll has not run)');
    return docker;
  }

  async function imageExists(ref: string): Promise<boolean> {
    try {
      await engine().getImage(ref).inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  async function runLabelledContainers(): Promise<Docker.ContainerInfo[]> {
    return engine().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  }

  beforeAll(async () => {
    requireDocker();
    const client = new Docker(dockerOptions(endpoint));
    docker = client;
    connected = true;
    if (!(await imageExists(BASE_IMAGE))) throw new Error(`base image ${BASE_IMAGE} is missing: run bash scripts/seed-base-image.sh`);
    const spy = vi.spyOn(client, 'buildImage');
    countBuildCalls = () => spy.mock.calls.length;
    builder = createImageBuilder({ docker: client, endpoint, containerLabels: { [RUN_LABEL]: runId } });
  });

  afterAll(async () => {
    await removeContexts();
    if (!connected) return;
    const client = engine();
    const problems: string[] = [];
    const ignorable = (err: unknown) => statusCode(err) === 404 || statusCode(err) === 409;
    for (const info of await runLabelledContainers()) {
      await client
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch((err: unknown) => {
          if (!ignorable(err)) problems.push(`container ${info.Id}: ${String(err)}`);
        });
    }
    const ours = await client.listImages({ filters: { reference: [`${repoPrefix}/*`] } });
    for (const tag of ours.flatMap((image) => image.RepoTags ?? [])) {
      if (!tag.startsWith(`${repoPrefix}/`)) continue;
      await client
        .getImage(tag)
        .remove()
        .catch((err: unknown) => {
          if (!ignorable(err)) problems.push(`image ${tag}: ${String(err)}`);
        });
    }
    // Newest first, untagged only, never forced: a layer something else builds on stays.
    for (const id of [...layerIds].reverse()) {
      try {
        const info = await client.getImage(id).inspect();
        if ((info.RepoTags ?? []).length > 0) continue;
        await client.getImage(id).remove();
      } catch (err) {
        if (!ignorable(err)) problems.push(`layer ${id}: ${String(err)}`);
      }
    }
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  });

  return {
    runId,
    repoPrefix,
    get docker() {
      return engine();
    },
    get builder() {
      if (!builder) throw new Error('the image builder is not ready yet (beforeAll has not run)');
      return builder;
    },
    buildCalls: () => {
      if (!countBuildCalls) throw new Error('build calls are not counted yet (beforeAll has not run)');
      return countBuildCalls();
    },
    makeContext,
    collect: (into: string[] = []) => {
      return (line) => {
        into.push(line);
        const layer = / ---> ([0-9a-f]{12})$/.exec(line);
        if (layer?.[1]) layerIds.add(layer[1]);
      };
    },
    spec: (project, contextDir, extra = {}) => {
      return {
        project,
        contextDir,
        dockerfile: 'Dockerfile',
        buildArgs: {},
        repository: `${repoPrefix}/${project}`,
        labels: {
          'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
          'org.opencontainers.image.created': '2030-01-02T03:04:05Z',
          'dev.convoy.release': `rel-${runId}`,
        },
        ...extra,
      };
    },
    imageExists,
    runLabelledContainers,
  };
}
