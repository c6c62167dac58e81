// Domain shapes shared by the core, the transports and the renderer.
// They are zod schemas so that whatever crosses a process boundary is checked on arrival.
import { z } from 'zod';
import { ErrorPayload } from './errors.js';

export const ProjectType = z.enum(['application', 'library', 'e2e', 'unknown']);

export const ProjectCapabilities = z.object({
  /** Path of the Dockerfile relative to the workspace root, when the project has one. */
  dockerfile: z.string().nullable(),
  /** Path of the Kubernetes manifests folder relative to the workspace root, when present. */
  manifests: z.string().nullable(),
  /** Command run inside the project's image to test it, when declared. */
  test: z.array(z.string()).nullable(),
  buildable: z.boolean(),
  deployable: z.boolean(),
});
export type ProjectCapabilities = z.infer<typeof ProjectCapabilities>;

export const WorkspaceProject = z.object({
  name: z.string(),
  root: z.string(),
  type: ProjectType,
  tags: z.array(z.string()),
  /** Names of the projects this one depends on (static, dynamic and implicit edges). */
  dependencies: z.array(z.string()),
  capabilities: ProjectCapabilities,
});
export type WorkspaceProject = z.infer<typeof WorkspaceProject>;

export const WorkspaceGraph = z.object({
  root: z.string(),
  nxVersion: z.string(),
  /** Where the nx used to build the graph came from. */
  nxSource: z.enum(['workspace', 'bundled']),
  projects: z.array(WorkspaceProject),
  /** Dependency cycles, each a closed path like ['a', 'b', 'a']; empty for a proper DAG. */
  cycles: z.array(z.array(z.string())),
  /** True when the graph came from Convoy's cache rather than a fresh Nx run. */
  cached: z.boolean(),
  /**
   * How this call got the graph: `cached` (the persisted graph of this very state), `updated` (the
   * persisted graph with only the changed files' imports read again), `rebuilt` (a full Nx build).
   */
  read: z.enum(['cached', 'updated', 'rebuilt']).optional(),
  /** Things the user should know about the graph cache (an ignored file, a data directory that cannot take it). */
  notes: z.array(z.string()).optional(),
});
export type WorkspaceGraph = z.infer<typeof WorkspaceGraph>;

/** Why a project is affected. */
export const AffectedReason = z.discriminatedUnion('kind', [
  // Files inside the project changed.
  z.object({ kind: z.literal('files'), files: z.array(z.string()), more: z.number().int().nonnegative() }),
  // A workspace-wide or configuration change touched the project (nx.json, lockfile, root package.json, tsconfig).
  z.object({ kind: z.literal('workspace'), cause: z.string(), files: z.array(z.string()) }),
  // The project depends, through `via` (nearest first), on a directly touched project.
  z.object({ kind: z.literal('dependency'), via: z.array(z.string()), source: z.string() }),
]);
export type AffectedReason = z.infer<typeof AffectedReason>;

export const AffectedProject = z.object({
  name: z.string(),
  root: z.string(),
  direct: z.boolean(),
  /** Touched files inside the project (first few; `moreFiles` counts the rest). */
  files: z.array(z.string()),
  moreFiles: z.number().int().nonnegative(),
  /** For an indirect project: the chain from it to the touched project, excluding itself. */
  via: z.array(z.string()),
  reasons: z.array(AffectedReason),
  /**
   * Why, in one word or phrase: `files` (its own files changed), `dependency` (it depends on a touched
   * project), or the workspace-wide cause (e.g. `nx.json changed`, `package.json dependency zod changed`,
   * `lockfile yarn.lock changed`). The first of `reasons`, named.
   */
  cause: z.string(),
  /** One readable line, e.g. `storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js`. */
  explanation: z.string(),
});
export type AffectedProject = z.infer<typeof AffectedProject>;

export const AffectedSet = z.object({
  workspace: z.string(),
  base: z.string().nullable(),
  head: z.string().nullable(),
  uncommitted: z.boolean(),
  touchedFiles: z.number().int().nonnegative(),
  projects: z.array(AffectedProject),
  graphCached: z.boolean(),
  /** How the graph was read (WorkspaceGraph.read). */
  graphRead: z.enum(['cached', 'updated', 'rebuilt']).optional(),
  /** The graph's notes (WorkspaceGraph.notes), for the CLI to print on stderr. */
  notes: z.array(z.string()).optional(),
});
export type AffectedSet = z.infer<typeof AffectedSet>;

export const DockerStatus = z.object({
  reachable: z.boolean(),
  endpoint: z.string(),
  version: z.string().nullable(),
  error: z.string().nullable(),
});
export type DockerStatus = z.infer<typeof DockerStatus>;

export const AppInfo = z.object({
  name: z.literal('convoy'),
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['in-process', 'websocket', 'ipc']),
  docker: DockerStatus,
  storeSchemaVersion: z.number().int(),
});
export type AppInfo = z.infer<typeof AppInfo>;

// Runs: everything Convoy does to the world (shared/runs.ts has the kinds and their typed events).
export { RunKind, RunStatus, RunSummary } from './runs.js';

/** How one project's tests went (issue 4: tests run inside the built image). */
export const TestOutcome = z.object({
  /** `none`: the project declares no test; `not-run`: its build failed or the run was cancelled. */
  status: z.enum(['passed', 'failed', 'timed-out', 'not-run', 'none']),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nullable(),
  /** The last lines of the test log, redacted. */
  logTail: z.array(z.string()),
  /**
   * Set when the test did not run because it passed before with the same image ID, command,
   * environment and timeout (status `passed`): the run it passed in and when.
   */
  cached: z.object({ runId: z.string(), passedAt: z.string() }).nullable().optional(),
});
export type TestOutcome = z.infer<typeof TestOutcome>;

export const ProjectBuild = z.object({
  project: z.string(),
  /** `cached`: an image for this content hash already existed, no build was made. */
  status: z.enum(['built', 'cached', 'failed', 'cancelled']),
  /** `<repository>:<content hash>`. */
  image: z.string().nullable(),
  contentHash: z.string().nullable(),
  durationMs: z.number().nullable(),
  error: ErrorPayload.nullable(),
  test: TestOutcome,
});
export type ProjectBuild = z.infer<typeof ProjectBuild>;

export const BuildReport = z.object({
  /** The history row (kind `build`) this run is recorded under; also the image's release label. */
  runId: z.string(),
  ok: z.boolean(),
  /** Build calls made to the engine (0 when everything was cached). */
  buildCalls: z.number().int(),
  projects: z.array(ProjectBuild),
});
export type BuildReport = z.infer<typeof BuildReport>;

// ── deploy targets (issue 5) ──────────────────────────────────────────────────────────────────
// The same shapes as electron/core/ports/deploy-target.ts, checked when they cross the contract.

export const ServiceStatus = z.object({
  service: z.string(),
  state: z.enum(['missing', 'progressing', 'ready', 'failed']),
  revision: z.string().nullable(),
  image: z.string().nullable(),
  message: z.string(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export const TargetRevision = z.object({
  service: z.string(),
  revision: z.string(),
  image: z.string().nullable(),
  commit: z.string().nullable(),
  releaseId: z.string().nullable(),
  createdAt: z.string().nullable(),
  current: z.boolean(),
});
export type TargetRevision = z.infer<typeof TargetRevision>;

export const EnvironmentStatus = z.object({
  environment: z.string(),
  kind: z.enum(['kubernetes', 'docker']),
  services: z.array(ServiceStatus),
});
export type EnvironmentStatus = z.infer<typeof EnvironmentStatus>;

export const ServiceRollback = z.object({
  environment: z.string(),
  service: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  current: z.string().nullable(),
});
export type ServiceRollback = z.infer<typeof ServiceRollback>;
