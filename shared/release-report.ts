// The record of one release run (issue 12), as the engine keeps it while it runs and as history keeps
// it afterwards: what was affected and why, the plan, the images (tag and ID), every stage with its
// times, per environment the gates, the combined diff, the approval, each service's deploy and every
// rollback. `release.updated` carries it live; `history.get` answers it (shared/contract/release.ts).
import { z } from 'zod';
import { ErrorPayload } from './errors.js';
import { ServiceStatus, TestOutcome } from './domain.js';

export const ReleaseState = z.enum(['running', 'awaiting-approval', 'succeeded', 'failed', 'rolled-back', 'cancelled', 'rejected']);
export type ReleaseState = z.infer<typeof ReleaseState>;

export const StageName = z.enum(['affected', 'build', 'test', 'push', 'gates', 'diff', 'approval', 'waves', 'verify', 'rollback']);
export type StageName = z.infer<typeof StageName>;

export const StageState = z.enum(['running', 'succeeded', 'failed', 'skipped', 'cancelled']);
export type StageState = z.infer<typeof StageState>;

export const StageReport = z.object({
  name: StageName,
  /** null for the stages before the environments (affected, build, test). */
  environment: z.string().nullable(),
  state: StageState,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** One line on how it went, redacted. */
  message: z.string().nullable(),
});
export type StageReport = z.infer<typeof StageReport>;

export const ImageReport = z.object({
  service: z.string(),
  /** `<repository>:<content tag>`; null when the build failed. */
  image: z.string().nullable(),
  /** The engine's image ID (sha256:…) recorded at build time; promoted unchanged to every environment. */
  imageId: z.string().nullable(),
  build: z.enum(['built', 'cached', 'failed', 'cancelled']),
  test: TestOutcome.shape.status,
  /** Set when the test was not run because it passed before (the run and when); see TestOutcome. */
  testCached: TestOutcome.shape.cached,
  durationMs: z.number().nullable(),
  error: ErrorPayload.nullable(),
});
export type ImageReport = z.infer<typeof ImageReport>;

export const LiveRevision = z.object({
  revision: z.string().nullable(),
  image: z.string().nullable(),
  state: z.enum(['missing', 'progressing', 'ready', 'failed']),
});
export type LiveRevision = z.infer<typeof LiveRevision>;

export const ServiceDeploy = z.object({
  service: z.string(),
  /** 0-based wave index. */
  wave: z.number().int(),
  image: z.string(),
  /** What ran before the release touched it (the rollback target). */
  before: LiveRevision,
  outcome: z.enum(['pending', 'applying', 'waiting', 'ready', 'failed', 'not-started']),
  /** The revision live after the deploy, when known. */
  revision: z.string().nullable(),
  durationMs: z.number().nullable(),
  error: ErrorPayload.nullable(),
});
export type ServiceDeploy = z.infer<typeof ServiceDeploy>;

export const RollbackEntry = z.object({
  service: z.string(),
  /** The revision rolled back to (the one live before the release). */
  to: LiveRevision,
  /**
   * `removed`: the service did not run there before the release, so it was taken out. `impossible` is
   * no longer produced; it stays so records written before `removed` existed still read.
   */
  outcome: z.enum(['rolled-back', 'already-there', 'removed', 'impossible', 'failed']),
  /** What runs after the rollback. */
  after: LiveRevision.nullable(),
  message: z.string(),
});
export type RollbackEntry = z.infer<typeof RollbackEntry>;

export const GateSummary = z.object({
  ok: z.boolean(),
  results: z.array(
    z.object({
      gate: z.string(),
      enabled: z.boolean(),
      violations: z.array(z.object({ service: z.string(), object: z.string(), container: z.string().nullable(), message: z.string() })),
    }),
  ),
});

export const ApprovalReport = z.object({
  required: z.boolean(),
  state: z.enum(['not-required', 'waiting', 'approved', 'rejected', 'not-reached']),
  by: z.string().nullable(),
  at: z.string().nullable(),
  comment: z.string().nullable(),
});
export type ApprovalReport = z.infer<typeof ApprovalReport>;

export const EnvironmentReport = z.object({
  name: z.string(),
  kind: z.enum(['kubernetes', 'docker']),
  state: z.enum(['pending', 'running', 'awaiting-approval', 'succeeded', 'unchanged', 'failed', 'rolled-back', 'cancelled', 'rejected']),
  waves: z.array(z.array(z.string())),
  /** Services already on the release's image there (the plan's SkippedService). */
  skipped: z.array(z.object({ service: z.string(), image: z.string(), reason: z.string() })),
  gates: GateSummary.nullable(),
  /** The combined server-side diff, redacted, in apply order. */
  diff: z.object({ text: z.string(), objects: z.array(z.object({ service: z.string(), object: z.string(), change: z.string() })) }).nullable(),
  approval: ApprovalReport,
  services: z.array(ServiceDeploy),
  rollbacks: z.array(RollbackEntry),
  /** What every service of the release runs there once the environment is done (messages redacted). */
  live: z.array(ServiceStatus),
  cause: ErrorPayload.nullable(),
});
export type EnvironmentReport = z.infer<typeof EnvironmentReport>;

/** One built image in one registry (issue 16): pushed, or already there by its digest. */
export const PushReport = z.object({
  service: z.string(),
  /** The local reference that was pushed, `<repository>:<content tag>`. */
  image: z.string(),
  /** `host[:port]/prefix` as convoy.yaml names it. */
  registry: z.string(),
  /** `host[:port]/prefix/<repository>`. */
  repository: z.string(),
  /** Environments that deploy it from this registry. */
  environments: z.array(z.string()),
  outcome: z.enum(['pushed', 'present', 'failed', 'not-started']),
  /** The manifest digest the clusters pull (`repository@digest`); null until known. */
  digest: z.string().nullable(),
  /** Push attempts made (0 when the registry already had the digest). */
  attempts: z.number().int(),
  error: ErrorPayload.nullable(),
});
export type PushReport = z.infer<typeof PushReport>;

export const ReleaseReport = z.object({
  id: z.string(),
  workspace: z.string(),
  /** The last environment asked for, and whether it ran alone (`--only`). */
  target: z.string(),
  only: z.boolean(),
  base: z.string().nullable(),
  head: z.string().nullable(),
  commit: z.string().nullable(),
  author: z.string().nullable(),
  state: ReleaseState,
  cause: ErrorPayload.nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  affected: z.array(z.object({ project: z.string(), explanation: z.string() })),
  services: z.array(z.string()),
  order: z.array(z.object({ service: z.string(), after: z.array(z.string()) })),
  images: z.array(ImageReport),
  /** Build calls made to the engine (0 when every image was already built). */
  buildCalls: z.number().int(),
  /** Services applied, over all environments (0 for a re-release of the same commit). */
  applies: z.number().int(),
  /**
   * Tests run in containers (0 for a re-release of the same commit: each passed before with the same
   * image, command, environment and timeout). Absent in records older than the test-result cache.
   */
  testRuns: z.number().int().optional(),
  stages: z.array(StageReport),
  /** Images pushed to the environments' registries (empty when none has a registry, and in older records). */
  pushes: z.array(PushReport).default([]),
  environments: z.array(EnvironmentReport),
});
export type ReleaseReport = z.infer<typeof ReleaseReport>;
