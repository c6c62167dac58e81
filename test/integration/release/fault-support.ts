// What the fault-matrix tests share: a real SQLite store the release records into (its lease is the
// environment lock), the recorded journal and report read back, a stand-in builder that names images
// by their VERSION build arg, and a way to act right after one service's apply.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { openStore, type SqliteStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { currentProcess } from '../../../electron/adapters/system/process-identity.js';
import { createLeaseKeeper } from '../../../electron/core/lease.js';
import type { HistoryStore } from '../../../electron/core/ports/history-store.js';
import type { DeployTargetPort, DeployUnit } from '../../../electron/core/ports/deploy-target.js';
import type { BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../../electron/core/ports/image-builder.js';
import { leaseLock } from '../../../electron/core/release/lease-lock.js';
import type { EnvironmentLock } from '../../../electron/core/release/run-ports.js';
import { storeRecorder, storedReport } from '../../../electron/features/release/store-recorder.js';

export const idOf = (image: string) => `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** Images named shop/<service>:<VERSION>, never built: the Kubernetes test server runs no containers. */
export class NamedImages implements ImageBuilderPort {
  private readonly seen = new Set<string>();
  async contentHash(spec: BuildSpec) {
    return `${spec.project}-${spec.buildArgs.VERSION}`;
  }
  async build(spec: BuildSpec): Promise<BuildResult> {
    const image = `shop/${spec.project}:${spec.buildArgs.VERSION}`;
    const cached = this.seen.has(image);
    this.seen.add(image);
    return { project: spec.project, image, contentHash: image, imageId: idOf(image), cached, durationMs: 1 };
  }
  async runTest(spec: TestSpec): Promise<TestResult> {
    return { project: spec.project, image: spec.image, exitCode: 0, timedOut: false, durationMs: 1, logs: [] };
  }
}

export interface FaultStore {
  store: SqliteStore;
  lock: EnvironmentLock;
  /** The recorder `convoy release` uses, over this store (a test may give it another store). */
  recorder(releaseId: string, over?: HistoryStore): ReturnType<typeof storeRecorder>;
  /** The release's journal as recorded: each step's kind, target, outcome and error code. */
  steps(releaseId: string): Array<{ kind: string; target: string; ok: boolean | null; code: string | null }>;
  /** The release's last full record in the store. */
  report(releaseId: string): ReleaseReport | null;
  close(): void;
}

export function openFaultStore(prefix: string): FaultStore {
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const store = openStore(dir);
  return {
    store,
    lock: leaseLock(createLeaseKeeper({ store, self: currentProcess() }), store),
    recorder: (releaseId, over) => storeRecorder(over ?? store, releaseId, (line) => line, { emit: () => {} }, null),
    steps: (releaseId) =>
      store.listSteps(releaseId).map((s) => {
        const error = (s.result as { error?: { code?: string } } | null)?.error;
        return { kind: s.kind, target: s.target, ok: s.ok, code: error?.code ?? null };
      }),
    report: (releaseId) => storedReport(store, releaseId),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The target, with `then` run right after `service`'s apply returns (to inject a fault mid-wave). */
export function afterApplyOf(target: DeployTargetPort, service: string, then: () => void | Promise<void>): DeployTargetPort {
  return Object.assign(Object.create(target) as DeployTargetPort, {
    apply: async (units: DeployUnit[], options?: Parameters<DeployTargetPort['apply']>[1]) => {
      const result = await target.apply(units, options);
      if (units.some((u) => u.service === service)) await then();
      return result;
    },
  });
}

/** The target, with `first` run just before `service`'s apply starts. */
export function beforeApplyOf(target: DeployTargetPort, service: string, first: () => void | Promise<void>): DeployTargetPort {
  return Object.assign(Object.create(target) as DeployTargetPort, {
    apply: async (units: DeployUnit[], options?: Parameters<DeployTargetPort['apply']>[1]) => {
      if (units.some((u) => u.service === service)) await first();
      return target.apply(units, options);
    },
  });
}

/**
 * The target, with `then` run once its diff is shown: a fault on PATCH then meets the apply, not the
 * diff's dry run (the path is the same; a rule does not see the query).
 */
export function afterDiffOf(target: DeployTargetPort, then: () => void | Promise<void>): DeployTargetPort {
  return Object.assign(Object.create(target) as DeployTargetPort, {
    diff: async (...args: Parameters<DeployTargetPort['diff']>) => {
      const diff = await target.diff(...args);
      await then();
      return diff;
    },
  });
}

/** `[service, outcome]` of each rollback entry, in the order they ran. */
export const rollbacksOf = (report: ReleaseReport) => report.environments.flatMap((e) => e.rollbacks.map((r) => [r.service, r.outcome]));
