// What a dead run left behind, swept when a Convoy process starts work (build, release, rollback,
// status). A process killed mid-run (SIGKILL, OOM, a closed laptop) leaves its test container, the
// `-next` candidate of a Docker-target deploy or rollback (running, publishing a port, yet hidden
// from status and revisions), and the intermediate images of a build it aborted. Everything Convoy
// creates in Docker is labelled with its run and owner (electron/core/run-owner.ts), so the owner's
// death is read from the labels alone; intermediate images, which the classic builder cannot label,
// are known from the run's `docker.layer` events. Per dead run:
//  * test containers and deploy candidates are removed (the step that made them never finished: a
//    candidate is renamed to the service's name when its step succeeds);
//  * untagged images are removed (only when nothing uses them and nothing was built on them);
//  * tagged images are adopted: the tag is applied only when a build finished, and the content tag
//    makes the image the cache of that exact build; so are the registry tags a push made
//    (`image.tag` journal steps, intent with or without a result): one is applied only after the
//    image was built and tested, and is kept while it still names the image the run recorded;
//  * service containers (current, retired revisions) are the environment itself and never touched;
//  * a run of any kind the store still shows `running` whose process is gone is marked `interrupted`
//    (electron/core/owner.ts, the same as when the store opens), and the leases its process held are
//    given back.
// Each of these is said: a progress line, and a `leftovers.swept` / `run.interrupted` event on the
// dead run. Resources of a live owner, or of an owner on another host, are left alone. A resource's
// owner is judged by the same check as a run's (owner.ts `ownerGone`: pid + start token + host).
import type { Progress } from './ports/workspace.js';
import type { EventStore } from './ports/event-store.js';
import type { LeaseStore } from './ports/lease-store.js';
import type { RunStore } from './ports/run-store.js';
import { type ProcessProbe, type RunOwner, interruptDeadRuns, ownerGone } from './owner.js';

/** Something in Docker that carries a run's labels. */
export interface OwnedResource {
  kind: 'container' | 'image';
  id: string;
  /** What the user knows it by: a container's name, an image's tag or short id. */
  name: string;
  runId: string;
  owner: RunOwner;
  /** The store its run is recorded in (OWNER_LABELS.scope), or null when unlabelled. */
  scope: string | null;
  /** test: a build's test container; candidate: a `-next` container of a deploy or rollback; service: a revision. */
  role: 'test' | 'candidate' | 'service' | 'image';
  /** Images: whether it carries a tag. */
  tagged: boolean;
}

/** The Docker Engine as the sweep sees it (electron/adapters/docker/leftover-engine.ts). */
export interface LeftoverEngine {
  /** Every container and image carrying a run label. */
  listOwned(): Promise<OwnedResource[]>;
  /** Force-removes a container; true when it was there. */
  removeContainer(id: string): Promise<boolean>;
  /** Removes an image only if it has no tag, no child and no container; true when it was removed. */
  removeDanglingImage(id: string): Promise<boolean>;
  /** The image ID a reference (`host/repo:tag`) names now, or null when there is no such tag. */
  imageIdOf(reference: string): Promise<string | null>;
}

export type SweepStore = Pick<RunStore, 'getRun' | 'listRuns' | 'listUnfinishedRuns' | 'interruptRun' | 'listStages' | 'finishStage' | 'listSteps'> &
  Pick<EventStore, 'appendEvent' | 'listEvents'> &
  Pick<LeaseStore, 'listLeases' | 'releaseLease'>;

export interface SweepDeps {
  engine: LeftoverEngine;
  store: SweepStore;
  probe: ProcessProbe;
  /** This process's store (OWNER_LABELS.scope): resources of another store's runs are not judged here. */
  scope?: string | null;
  progress?: Progress;
}

export interface SweptRun {
  runId: string;
  reason: string;
  removed: string[];
  adopted: string[];
  /** The run was still `running` in the store and this sweep marked it interrupted. */
  marked: boolean;
}

/** How many of the newest runs are looked at for interrupted ones not swept yet. */
const RECENT_RUNS = 200;

/** The intermediate images a run's builds committed, newest first (a child before its parent). */
function layersOf(store: SweepStore, runId: string): string[] {
  const ids: string[] = [];
  for (const event of store.listEvents(runId)) if (event.name === 'docker.layer') ids.push((event.payload as { imageId: string }).imageId);
  return ids.reverse();
}

/**
 * The registry tags a run's pushes made (`image.tag` steps) that still name the image it recorded:
 * adopted, as its tagged images are. A tag that was never made, or now names another image, is not
 * this run's to keep or remove.
 */
async function registryTagsOf(store: SweepStore, engine: LeftoverEngine, runId: string): Promise<string[]> {
  const kept: string[] = [];
  for (const step of store.listSteps(runId)) {
    if (step.kind !== 'image.tag' || kept.includes(`tag ${step.target}`)) continue;
    const detail = step.detail !== null && typeof step.detail === 'object' && !Array.isArray(step.detail) ? step.detail : {};
    const id = await engine.imageIdOf(step.target);
    if (id !== null && id === detail.imageId) kept.push(`tag ${step.target}`);
  }
  return kept;
}

interface InterruptedRunRef {
  runId: string;
  reason: string;
}

/**
 * Runs of this store that are `interrupted` (marked now or by an earlier process) and whose Docker
 * leftovers have not been swept yet: done once the run has a `leftovers.swept` event.
 */
function awaitingSweep(store: SweepStore): InterruptedRunRef[] {
  const out: InterruptedRunRef[] = [];
  for (const run of store.listRuns({ limit: RECENT_RUNS })) {
    if (run.status !== 'interrupted') continue;
    let reason = 'its process is gone';
    let swept = false;
    for (const event of store.listEvents(run.id)) {
      if (event.name === 'run.interrupted') reason = event.payload.reason;
      else if (event.name === 'leftovers.swept') swept = true;
    }
    if (!swept) out.push({ runId: run.id, reason });
  }
  return out;
}

/**
 * Removes what dead runs left in Docker (see the top of this file). Runs marked interrupted (now, or
 * by an earlier process) and not swept yet also get their recorded intermediate images removed and
 * their tagged images reported as adopted, and then a `leftovers.swept` event (so this happens once).
 * Runs found dead from labels alone get their containers and untagged images removed.
 */
export async function sweepLeftovers(deps: SweepDeps): Promise<SweptRun[]> {
  const { engine, store, probe } = deps;
  const progress = deps.progress ?? (() => {});
  const justMarked = new Set(interruptDeadRuns(store, probe).map((r) => r.run.id));
  const interrupted = new Map(awaitingSweep(store).map((r) => [r.runId, r]));

  // Dead runs: the ones marked, and any run of this store whose labelled resources name a gone owner.
  const owned = (await engine.listOwned()).filter((r) => r.scope === (deps.scope ?? null));
  const dead = new Map<string, string>([...interrupted.values()].map((r) => [r.runId, r.reason]));
  for (const resource of owned) {
    if (dead.has(resource.runId)) continue;
    const reason = ownerGone(resource.owner, probe);
    if (reason !== null) dead.set(resource.runId, reason);
  }

  const swept: SweptRun[] = [];
  for (const [runId, reason] of dead) {
    const run = store.getRun(runId);
    const first = interrupted.has(runId);
    const removed: string[] = [];
    const adopted: string[] = [];
    for (const resource of owned.filter((r) => r.runId === runId)) {
      if (resource.kind === 'container') {
        if (resource.role !== 'test' && resource.role !== 'candidate') continue;
        if (await engine.removeContainer(resource.id)) removed.push(`${resource.role === 'test' ? 'test container' : 'container'} ${resource.name}`);
      } else if (resource.tagged) {
        if (first) adopted.push(`image ${resource.name}`);
      } else if (await engine.removeDanglingImage(resource.id)) {
        removed.push(`image ${resource.name}`);
      }
    }
    if (first && run) for (const layer of layersOf(store, runId)) if (await engine.removeDanglingImage(layer)) removed.push(`intermediate image ${layer}`);
    if (first && run) adopted.push(...(await registryTagsOf(store, engine, runId)));
    const marked = justMarked.has(runId);
    const kind = run?.kind ?? 'run';
    // Written for every interrupted run, even with nothing to remove: it is how the next sweep knows.
    if (run && (first || removed.length > 0 || adopted.length > 0)) store.appendEvent(runId, 'leftovers.swept', { reason, by: probe.self, removed, adopted });
    if (removed.length === 0 && adopted.length === 0 && !marked) continue;
    const parts = [
      ...(marked ? [`marked ${kind} ${runId} interrupted`] : []),
      ...(removed.length > 0 ? [`removed ${removed.join(', ')}`] : []),
      ...(adopted.length > 0 ? [`kept ${adopted.join(', ')} (its build had finished)`] : []),
    ];
    progress(`Cleaned up after run ${runId} (${reason}): ${parts.join('; ')}`);
    swept.push({ runId, reason, removed, adopted, marked });
  }
  return swept;
}

/** Sweeps before a piece of work starts; never fails the work (an engine that is not there is skipped). */
export type Sweep = (progress?: Progress) => Promise<void>;

export function createSweep(deps: Omit<SweepDeps, 'progress'>): Sweep {
  let running: Promise<void> | null = null;
  return (progress) => {
    // Work started together in one process shares one sweep.
    running ??= sweepLeftovers({ ...deps, ...(progress ? { progress } : {}) })
      .then(
        () => undefined,
        (err: unknown) => {
          const code = (err as { code?: unknown } | null)?.code;
          if (code !== 'DOCKER_UNAVAILABLE') progress?.(`Could not check for what dead runs left behind: ${err instanceof Error ? err.message : String(err)}`);
        },
      )
      .finally(() => void (running = null));
    return running;
  };
}
