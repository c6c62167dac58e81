// The push stage (issue 16): after the tests and before any environment is touched, every built image
// goes to every registry the walk's environments name, once. A registry that already holds one of the
// image's digests (an earlier release pushed it) is not pushed to again; a transient failure is tried
// again after a backoff, each attempt a journal step; any other failure stops the release before
// anything is applied. The answer is, per registry and service, the `repository@digest` its clusters
// pull — the same digest in every registry, or the stage fails.
import { parseRegistryRef, registryRepository, digestReference, type RegistryRef } from '../../../shared/registry-ref.js';
import { repositoryOf } from './registry-images.js';
import { ConvoyError, type ErrorPayload, toErrorPayload } from '../../../shared/errors.js';
import type { PushReport } from '../../../shared/release-report.js';
import { type ImageRegistryPort, type PushRetry, isTransientPushError } from '../ports/image-registry.js';
import type { BuiltImage } from './gates.js';
import type { ReleaseEnvironment, StageJournal } from './run-ports.js';
import type { ReleaseTracker } from './tracker.js';

export interface RegistryUse {
  /** As convoy.yaml writes it. */
  registry: string;
  ref: RegistryRef;
  /** The environments that pull from it, in promotion order. */
  environments: string[];
}

/** The distinct registries of the walk, in the order their first environment comes. */
export function registriesOf(environments: readonly ReleaseEnvironment[]): RegistryUse[] {
  const uses = new Map<string, RegistryUse>();
  for (const env of environments) {
    const registry = env.settings.config.registry;
    if (!registry) continue;
    const use = uses.get(registry) ?? { registry, ref: parseRegistryRef(registry), environments: [] };
    use.environments.push(env.settings.name);
    uses.set(registry, use);
  }
  return [...uses.values()];
}

export interface PushStageContext {
  tracker: ReleaseTracker;
  registries: readonly RegistryUse[];
  built: readonly BuiltImage[];
  port: ImageRegistryPort;
  retry: PushRetry;
  signal: AbortSignal;
}

/** Per registry (as written), per service: the reference its clusters pull. */
export type PushedReferences = Map<string, Map<string, string>>;

export type PushStageResult = { ok: true; references: PushedReferences } | { ok: false; cause: ErrorPayload };

export async function runPushStage(ctx: PushStageContext): Promise<PushStageResult> {
  const { tracker, port, signal } = ctx;
  const report = tracker.report;
  const stage = tracker.stage('push', null);
  const entries: PushReport[] = ctx.registries.flatMap((use) =>
    ctx.built.map((b) => ({
      service: b.service,
      image: b.image,
      registry: use.registry,
      repository: registryRepository(use.ref, repositoryOf(b.image).name),
      environments: use.environments,
      outcome: 'not-started' as const,
      digest: null,
      attempts: 0,
      error: null,
    })),
  );
  report.pushes = entries;
  tracker.changed();
  const failed = (cause: ErrorPayload, entry?: PushReport): PushStageResult => {
    const error = tracker.error(cause);
    if (entry) Object.assign(entry, { outcome: 'failed', error });
    stage.finish(signal.aborted ? 'cancelled' : 'failed', error.message);
    return { ok: false, cause: error };
  };

  // Every registry answers and takes our credentials before the first layer moves anywhere.
  for (const use of ctx.registries) {
    try {
      await port.check(use.ref.host);
    } catch (err) {
      return failed(toErrorPayload(err));
    }
  }

  const digestOf = new Map<string, string>();
  const references: PushedReferences = new Map(ctx.registries.map((u) => [u.registry, new Map<string, string>()]));
  for (const entry of entries) {
    if (signal.aborted) return failed({ code: 'CANCELLED', message: 'The release was cancelled while pushing images; nothing was deployed' });
    const built = ctx.built.find((b) => b.service === entry.service)!;
    try {
      const earlier = digestOf.get(entry.service);
      const candidates = [...new Set([...(earlier ? [earlier] : []), ...(await port.knownDigests(built.image))])];
      let present: string | null = null;
      for (const digest of candidates) {
        if (await port.hasManifest(entry.repository, digest)) {
          present = digest;
          break;
        }
      }
      const digest = present ?? (await pushWithRetries(ctx, stage.journal, entry, built));
      if (earlier && digest !== earlier) {
        throw new ConvoyError('IMAGE_PUSH_FAILED', `${entry.repository} stored ${built.image} as ${digest}, but the earlier registry holds it as ${earlier}; every environment must pull one digest, so nothing was deployed — push from an engine that keeps the image's manifest (or use one registry)`);
      }
      digestOf.set(entry.service, digest);
      references.get(entry.registry)!.set(entry.service, digestReference(entry.repository, digest));
      Object.assign(entry, { outcome: present ? 'present' : 'pushed', digest });
      tracker.changed();
    } catch (err) {
      return failed(toErrorPayload(err), entry);
    }
  }
  const pushed = entries.filter((e) => e.outcome === 'pushed').length;
  stage.finish('succeeded', `${pushed} pushed, ${entries.length - pushed} already in the registry`);
  return { ok: true, references };
}

/** The journal step of the local `registry/repository:tag` a push makes; a dead run's are adopted by the leftovers sweep. */
export const IMAGE_TAG_STEP = 'image.tag';

async function pushWithRetries(ctx: PushStageContext, journal: StageJournal, entry: PushReport, built: BuiltImage): Promise<string> {
  const { tracker, port, retry, signal } = ctx;
  const tag = repositoryOf(built.image).tag;
  const lastStatus = new Map<string, string>();
  for (let attempt = 1; ; attempt++) {
    entry.attempts = attempt;
    tracker.changed();
    try {
      const result = await journal.step(
        { kind: 'image.push', target: entry.repository, detail: { image: built.image, imageId: built.imageId, registry: entry.registry, tag, attempt } },
        () =>
          port.push(built.image, entry.repository, tag, {
            signal,
            // The local tag the push starts with is a side effect of its own: a step inside the push's.
            tagged: (reference, tagIt) => journal.step({ kind: IMAGE_TAG_STEP, target: reference, detail: { image: built.image, imageId: built.imageId } }, tagIt),
            // One event per layer and status (Preparing, Pushing, Pushed…), not per byte count: each is a stored row.
            onProgress: (p) => {
              if (lastStatus.get(p.layer) === p.status) return;
              lastStatus.set(p.layer, p.status);
              tracker.event('release.pushProgress', { releaseId: tracker.report.id, repository: entry.repository, layer: p.layer, status: p.status, current: p.current, total: p.total });
            },
          }),
        (r) => ({ digest: r.digest }),
      );
      return result.digest;
    } catch (err) {
      if (!isTransientPushError(err) || attempt >= retry.attempts || signal.aborted) throw err;
      const delayMs = retry.delayMs(attempt);
      tracker.event('release.pushRetry', { releaseId: tracker.report.id, repository: entry.repository, attempt, delayMs, error: tracker.error(toErrorPayload(err)) });
      await retry.wait(delayMs, signal);
    }
  }
}
