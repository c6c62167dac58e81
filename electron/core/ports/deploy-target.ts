// One port for every place Convoy deploys to: a Kubernetes context (electron/adapters/kube) or the
// local Docker Engine as an offline staging environment (electron/adapters/docker-target). The release
// engine only ever talks to this interface, environment by environment.
//
// Errors are ConvoyErrors with the contract's codes (MANIFEST_INVALID, KUBE_*, ROLLOUT_*, PORT_IN_USE,
// HEALTH_FAILED, ROLLBACK_REFUSED, CANCELLED …) and messages that name the environment, the context or
// container, and the object.
import type { EnvironmentStatus, ServiceStatus, TargetRevision } from '../../../shared/domain.js';
import type { Progress } from './workspace.js';

// The shapes that also cross the contract are the contract's own (shared/domain.ts).
export type { ServiceStatus, TargetRevision };
export type TargetKind = EnvironmentStatus['kind'];
export type ServiceState = ServiceStatus['state'];

/** One service of one release, as a target receives it. */
export interface DeployUnit {
  /** The Nx project name; also the service / container name. */
  service: string;
  /**
   * The built, immutable image reference, e.g. `shop/orders-api:3f9c…`, or in an environment with a
   * registry `host[:port]/prefix/shop/orders-api@sha256:…`.
   */
  image: string;
  /** The local reference a registry `image` was pushed from (`shop/orders-api:3f9c…`), kept for people. */
  sourceImage?: string;
  releaseId: string;
  /** The git commit the image was built from, when known. */
  commit: string | null;
  /** Absolute path of the project's folder of Kubernetes manifests (`deploy/`), when it has one. */
  manifestsDir: string | null;
  /** Port the service listens on inside the container (Docker target). */
  port: number | null;
  /** HTTP health path (Docker target); null uses the image's HEALTHCHECK, or none. */
  health: string | null;
  /** Environment variables for the service (Docker target; Kubernetes takes them from manifests). */
  env: Record<string, string>;
  /** Values declared secret for this service: diffs mask any env value that holds one, whatever its name. */
  secrets?: string[];
}

export interface TargetCallOptions {
  signal?: AbortSignal;
  progress?: Progress;
  /** The run a change (apply, rollback) belongs to; it holds the environment's lease under this id. */
  runId?: string;
}

export interface ApplyOptions extends TargetCallOptions {
  /** Take over fields owned by another field manager (Kubernetes 409). Only with the user's consent. */
  force?: boolean;
  /**
   * Journals each object the apply writes (issue 13): the Kubernetes target calls `write` once per
   * object, around that object's write alone, so a crash between two objects leaves exactly one open
   * intent. The Docker target writes one object per service (its container) and leaves this to the
   * caller's per-service step.
   */
  objects?: ObjectJournal;
}

/** One object a target writes for a service, e.g. the Deployment `shop/orders-api`. */
export interface ObjectRef {
  service: string;
  apiVersion: string;
  kind: string;
  /** null for a cluster-scoped object. */
  namespace: string | null;
  name: string;
  /** `Deployment shop/orders-api`, as diffs and apply results name it. */
  object: string;
}

/** What an object was at one moment; `exists: false` when it was not there. */
export interface ObjectVersion {
  exists: boolean;
  resourceVersion: string | null;
  generation: number | null;
  /** The release whose write it carries (a workload's pod template's, else the object's own annotation). */
  release: string | null;
}

export interface ObjectWrite extends ObjectRef {
  /** Read just before the write. */
  before: ObjectVersion;
}

export interface ObjectWritten {
  action: AppliedObject['action'];
  after: ObjectVersion;
}

export interface ObjectJournal {
  /** Why the write of this object can be skipped (verifiably done already, e.g. on resume), or null to write it. */
  done?(write: ObjectWrite): string | null;
  /** Records the intent, runs `apply` (the write of this one object), records its result; returns or rethrows. */
  write(write: ObjectWrite, apply: () => Promise<ObjectWritten>): Promise<ObjectWritten>;
}

/** One object as it is now, for reconciling an interrupted release. */
export interface LiveObject {
  object: string;
  /** null when it could not be read (then `message` says why). */
  now: ObjectVersion | null;
  /** Ready by the target's rules (a Deployment rolled out as kubectl judges it; any other kind: it exists). */
  ready: boolean;
  message: string;
}

export interface WaitOptions extends TargetCallOptions {
  /** Give up (ROLLOUT_TIMEOUT / HEALTH_FAILED) after this long. */
  deadlineMs: number;
}

export type ChangeKind = 'add' | 'modify' | 'unchanged';

export interface ObjectDiff {
  service: string;
  /** e.g. `Deployment shop/orders-api`, or `container convoy-local-orders-api`. */
  object: string;
  change: ChangeKind;
  /** Unified diff text (empty when unchanged); secrets masked. */
  diff: string;
}

export interface TargetDiff {
  environment: string;
  objects: ObjectDiff[];
  /** All object diffs of the release combined, in apply order. */
  text: string;
}

export interface AppliedObject {
  service: string;
  object: string;
  /** created, configured (changed) or unchanged, as kubectl reports them. */
  action: 'created' | 'configured' | 'unchanged';
}

export interface ApplyResult {
  environment: string;
  objects: AppliedObject[];
}

export interface RollbackResult {
  service: string;
  /** The revision that was current before. */
  from: string | null;
  /** The revision whose image and config were restored (the one asked for, or the previous one). */
  to: string;
  /**
   * The revision now current: a new number on targets that record a rollback as a new revision (both
   * do, like `kubectl rollout undo`); null when the target assigns it asynchronously (Kubernetes: the
   * deployment controller numbers it).
   */
  current: string | null;
}

export interface RemoveResult {
  service: string;
  /** What was taken out (`container convoy-local-x`, `Deployment shop/x`); empty when nothing was there. */
  removed: string[];
}

export interface DeployTargetPort {
  readonly kind: TargetKind;
  readonly environment: string;
  /** What apply would change, against what is live; changes nothing. */
  diff(units: DeployUnit[], options?: TargetCallOptions): Promise<TargetDiff>;
  apply(units: DeployUnit[], options?: ApplyOptions): Promise<ApplyResult>;
  /** Resolves when every unit is ready; fails fast on a failed rollout; streams progress. */
  waitReady(units: DeployUnit[], options: WaitOptions): Promise<ServiceStatus[]>;
  status(services: string[], options?: TargetCallOptions): Promise<ServiceStatus[]>;
  /**
   * Newest first. After a rollback the restored revision is the newest under a new number: Kubernetes
   * moves it (its old number disappears, as the deployment controller renumbers the ReplicaSet); Docker
   * copies it (the old number stays). test/port-contracts/deploy-target.ts asserts both.
   */
  revisions(service: string, options?: TargetCallOptions): Promise<TargetRevision[]>;
  /** Back to `toRevision`, or to the previous revision when omitted. */
  rollback(service: string, toRevision?: string, options?: TargetCallOptions): Promise<RollbackResult>;
  /**
   * Takes the service out of the environment entirely, its history too (a release's rollback of a
   * service that did not run there before). Afterwards status says missing; nothing there is success.
   */
  remove(service: string, options?: TargetCallOptions): Promise<RemoveResult>;
  /** What each of these objects is now (Kubernetes; the Docker target journals containers per service and has none). */
  objects?(refs: ObjectRef[], options?: TargetCallOptions): Promise<LiveObject[]>;
  close?(): Promise<void>;
}
