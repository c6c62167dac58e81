// One environment of a release: what runs there now (the rollback targets, and the services already
// on the same image, which are skipped) → gates → the combined diff → approval → waves → verify. On
// the first failed step no new service starts, those in flight finish, and (unless the environment
// says `rollback: manual`) every service touched here is rolled back in reverse wave order. A cancel
// is honoured at the same safe points and offers the same rollback.
import { type ErrorPayload, toErrorPayload } from '../../../shared/errors.js';
import type { EnvironmentReport, RollbackEntry, ServiceDeploy } from '../../../shared/release-report.js';
import type { DeployUnit, ObjectVersion, ServiceStatus } from '../ports/deploy-target.js';
import { runPool } from '../pool.js';
import type { Redactor } from '../redact.js';
import { type BuiltImage, runGates } from './gates.js';
import { objectJournal } from './object-journal.js';
import { layerWaves } from './plan.js';
import type { RecordingState } from './guarded-recorder.js';
import { isRestored, rollbackServices } from './rollback.js';
import type { Approver, ImageInspector, ReleaseEnvironment } from './run-ports.js';
import type { ReleaseTracker } from './tracker.js';

export type EnvironmentOutcome = 'ok' | 'failed' | 'cancelled' | 'rejected';

export interface EnvironmentRunContext {
  tracker: ReleaseTracker;
  env: ReleaseEnvironment;
  report: EnvironmentReport;
  services: readonly string[];
  after: ReadonlyMap<string, readonly string[]>;
  built: readonly BuiltImage[];
  approver: Approver;
  images: ImageInspector;
  /**
   * The image ID a reference the gates check stands for now; default the local engine's. For a
   * registry's `repository@digest` the engine answers from the registry (electron/core/release/engine.ts).
   */
  resolveId?: (built: BuiltImage) => Promise<string | null>;
  redact: Redactor;
  signal: AbortSignal;
  /**
   * Resuming an interrupted release: what ran before the interrupted run touched each service here (the
   * rollback targets stay the original ones), so a service it already applied is kept in its wave and
   * counted done when it verifiably runs the image, ready — not applied again, not mistaken for skipped.
   */
  knownBefore?: ReadonlyMap<string, import('../../../shared/release-report.js').LiveRevision>;
  /** Resuming: per object (objectKey), the version the interrupted run's write left (object-journal.ts). */
  written?: ReadonlyMap<string, ObjectVersion>;
  /** Default CANCEL_GRACE_MS. */
  cancelGraceMs?: number;
  /** Whether the store still takes the release's rows (a refused write stops the release). */
  recording: RecordingState;
}

/** How long services in flight may go on finishing after a cancel before their apply or wait is stopped. */
export const CANCEL_GRACE_MS = 3_000;

const cancelledError = (what: string): ErrorPayload => ({ code: 'CANCELLED', message: `The release was cancelled ${what}` });

/**
 * The cause when the store refused a write: the release stopped there, and no rollback ran either (it
 * could not be recorded); it says what had changed, and how to undo it once the store takes writes.
 */
function unrecorded(refused: unknown, name: string, releaseId: string, services: readonly ServiceDeploy[]): ErrorPayload {
  const error = toErrorPayload(refused);
  const ready = services.filter((s) => s.outcome === 'ready').map((s) => s.service);
  const stopped = services.filter((s) => s.outcome === 'failed').map((s) => s.service);
  const changed = ready.length > 0 ? `applied and ready before it: ${ready.join(', ')}` : `nothing had been applied in ${name}`;
  return {
    code: error.code,
    message:
      `${error.message} The release stopped in ${name} at the first write the store refused: nothing was applied after it, ` +
      `and nothing was rolled back (a rollback could not be recorded either); ${changed}` +
      `${stopped.length > 0 ? `; stopped: ${stopped.join(', ')}` : ''}. Once the store can be written, roll back with convoy undo ${releaseId} --env ${name}.`,
  };
}

export async function runEnvironment(ctx: EnvironmentRunContext): Promise<EnvironmentOutcome> {
  const { tracker, env, report, signal } = ctx;
  const name = env.settings.name;
  const imageOf = new Map(ctx.built.map((b) => [b.service, b.image]));
  const sourceOf = new Map(ctx.built.map((b) => [b.service, b.source ?? b.image]));
  report.state = 'running';
  tracker.changed();

  const fail = (outcome: EnvironmentOutcome, cause: ErrorPayload): EnvironmentOutcome => {
    for (const entry of report.services) if (entry.outcome === 'pending') entry.outcome = 'not-started';
    report.cause = tracker.error(cause);
    report.state = outcome === 'rejected' ? 'rejected' : outcome === 'cancelled' ? 'cancelled' : 'failed';
    tracker.changed();
    return outcome;
  };

  // What runs now: the revision each service goes back to on failure, and the ones already current.
  const statuses = await env.target.status([...ctx.services]);
  const liveNow = new Map(statuses.map((s) => [s.service, { revision: s.revision, image: s.image, state: s.state }]));
  const before = new Map(liveNow);
  for (const [service, was] of ctx.knownBefore ?? []) before.set(service, was);
  const readyOnImage = (s: string) => liveNow.get(s)?.state === 'ready' && liveNow.get(s)?.image === imageOf.get(s);
  /** Changed by the interrupted run this one resumes (it ran something else before). */
  const resumedChange = (s: string) => {
    const was = ctx.knownBefore?.get(s);
    return was !== undefined && !(was.state === 'ready' && was.image === imageOf.get(s));
  };
  const skipped = ctx.services.filter((s) => readyOnImage(s) && !resumedChange(s));
  report.skipped = skipped.map((service) => ({ service, image: imageOf.get(service)!, reason: `${imageOf.get(service)} already runs in ${name} and is ready` }));
  const deploying = ctx.services.filter((s) => !skipped.includes(s));
  report.waves = layerWaves(deploying, ctx.after);
  report.services = report.waves.flatMap((wave, index) =>
    wave.map((service): ServiceDeploy => ({
      service,
      wave: index,
      image: imageOf.get(service)!,
      before: before.get(service) ?? { revision: null, image: null, state: 'missing' },
      outcome: 'pending',
      revision: null,
      durationMs: null,
      error: null,
    })),
  );
  const keepLive = (now: readonly ServiceStatus[]) => {
    report.live = now.map((s) => ({ ...s, message: ctx.redact(s.message) }));
  };
  if (deploying.length === 0) {
    keepLive(statuses);
    report.state = 'unchanged';
    report.approval.state = report.approval.required ? 'not-reached' : 'not-required';
    tracker.changed();
    return 'ok';
  }
  const units = new Map<string, DeployUnit>(deploying.map((s) => [s, env.unit(s, imageOf.get(s)!, sourceOf.get(s))]));
  const inOrder = report.waves.flat().map((s) => units.get(s)!);

  // Gates: over exactly what is about to be applied.
  const gates = tracker.stage('gates', name);
  const objects = await env.gateObjects(inOrder);
  const resolvedIds: Record<string, string | null> = {};
  const resolveId = ctx.resolveId ?? ((b: BuiltImage) => ctx.images.imageId(b.image));
  for (const b of ctx.built) if (units.has(b.service)) resolvedIds[b.image] = await resolveId(b);
  const gateReport = runGates({ objects, built: ctx.built, resolvedIds }, env.settings.gates);
  report.gates = gateReport;
  if (!gateReport.ok) {
    const violations = gateReport.results.flatMap((r) => r.violations.map((v) => v.message));
    gates.finish('failed', `${violations.length} violation(s)`);
    return fail('failed', { code: 'GATE_FAILED', message: `Gates refused the release in ${name}, nothing was applied: ${violations.join('; ')}` });
  }
  gates.finish('succeeded', `${gateReport.results.filter((r) => r.enabled).length} gate(s) passed`);

  // The combined diff, shown to the approver and kept in history.
  const diffStage = tracker.stage('diff', name);
  const diff = await env.target.diff(inOrder);
  report.diff = { text: ctx.redact(diff.text), objects: diff.objects.map((o) => ({ service: o.service, object: o.object, change: o.change })) };
  diffStage.finish('succeeded', `${diff.objects.filter((o) => o.change !== 'unchanged').length} object(s) change`);

  if (env.settings.approvalRequired) {
    const approval = tracker.stage('approval', name);
    report.approval.state = 'waiting';
    report.state = 'awaiting-approval';
    tracker.report.state = 'awaiting-approval';
    tracker.saved();
    let decision;
    try {
      // An approval is a side effect too: the intent says who was asked, the result what they decided.
      const request = { releaseId: tracker.report.id, environment: name, diff: report.diff.text, signal };
      decision = await approval.journal.step({ kind: 'release.approval', target: name, detail: { services: deploying } }, () => ctx.approver.request(request), (d) => ({ decision: d.decision, by: d.by, at: d.at, comment: d.comment }));
    } catch (err) {
      const error = toErrorPayload(err);
      tracker.report.state = 'running';
      report.approval.state = 'not-reached';
      approval.finish(error.code === 'CANCELLED' ? 'cancelled' : 'failed', error.message);
      return fail(error.code === 'CANCELLED' ? 'cancelled' : 'failed', error);
    }
    tracker.report.state = 'running';
    report.approval = { required: true, state: decision.decision, by: decision.by, at: decision.at, comment: decision.comment };
    if (decision.decision === 'rejected') {
      approval.finish('failed', `rejected by ${decision.by}`);
      return fail('rejected', { code: 'APPROVAL_REJECTED', message: `${decision.by} rejected the release in ${name}${decision.comment ? `: ${decision.comment}` : ''}; nothing was applied there` });
    }
    report.state = 'running';
    approval.finish('succeeded', `approved by ${decision.by}`);
  }
  if (signal.aborted) return fail('cancelled', cancelledError(`before anything was applied in ${name}`));

  // Waves: services of a wave in parallel; the first failure (or a cancel) starts nothing new.
  const waves = tracker.stage('waves', name);
  const stop = new AbortController();
  // A cancel lets the services in flight finish for CANCEL_GRACE_MS, then stops their apply or wait
  // (`hard`): a service that is slow to get healthy cannot hold a cancel for the whole deploy timeout.
  const hard = new AbortController();
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const onCancel = () => {
    stop.abort();
    graceTimer = setTimeout(() => hard.abort(), ctx.cancelGraceMs ?? CANCEL_GRACE_MS);
  };
  signal.addEventListener('abort', onCancel, { once: true });
  let failure: ErrorPayload | null = null;
  const entryOf = (service: string) => report.services.find((s) => s.service === service)!;
  for (const wave of report.waves) {
    await runPool(
      wave,
      env.settings.concurrency,
      async (service) => {
        const entry = entryOf(service);
        const unit = units.get(service)!;
        const where = `${name}/${service}`;
        const started = tracker.ms();
        if (resumedChange(service) && readyOnImage(service)) {
          // Verifiably done by the interrupted run: its image is live and ready.
          entry.outcome = 'ready';
          entry.revision = liveNow.get(service)?.revision ?? null;
          entry.durationMs = 0;
          tracker.changed();
          return;
        }
        try {
          entry.outcome = 'applying';
          tracker.changed();
          // The user's cancel reaches into the apply and the wait once its grace is over (another
          // service's failure lets in-flight services finish): the Docker target then removes its
          // candidate and keeps the old revision serving, a readiness wait stops, and the rollback
          // below restores the rest.
          await waves.journal.step({ kind: 'target.apply', target: where, detail: { image: unit.image, before: entry.before } }, () => env.target.apply([unit], { runId: tracker.report.id, signal: hard.signal, objects: objectJournal(waves.journal, where, ctx.written) }), (r) => ({ objects: r.objects.map((o) => `${o.object}: ${o.action}`) }));
          tracker.report.applies++;
          entry.outcome = 'waiting';
          tracker.changed();
          const ready = await waves.journal.step({ kind: 'target.waitReady', target: where, detail: { deadlineMs: env.settings.timeoutMs } }, () => env.target.waitReady([unit], { deadlineMs: env.settings.timeoutMs, signal: hard.signal }), (r) => ({ revision: r[0]?.revision ?? null }));
          entry.outcome = 'ready';
          entry.revision = ready.find((s) => s.service === service)?.revision ?? null;
        } catch (err) {
          const error = toErrorPayload(err);
          entry.outcome = 'failed';
          entry.error = tracker.error(error);
          // Stopped by the user's cancel: the release is cancelled, not failed; the entry says how far it got.
          if (!(hard.signal.aborted && error.code === 'CANCELLED')) failure ??= entry.error;
          stop.abort();
        }
        entry.durationMs = tracker.ms() - started;
        tracker.changed();
      },
      { signal: stop.signal, skipped: (service) => void (entryOf(service).outcome = 'not-started') },
    );
    if (stop.signal.aborted) break;
  }
  signal.removeEventListener('abort', onCancel);
  clearTimeout(graceTimer);
  for (const entry of report.services) if (entry.outcome === 'pending') entry.outcome = 'not-started';
  const cancelled = failure === null && signal.aborted;
  waves.finish(failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded', failure ? (failure as ErrorPayload).message : null);

  if (!failure && !cancelled) {
    const verify = tracker.stage('verify', name);
    const all = await env.target.status([...ctx.services]);
    keepLive(all);
    const now = all.filter((s) => deploying.includes(s.service));
    const wrong = now.filter((s) => s.state !== 'ready' || s.image !== imageOf.get(s.service));
    if (wrong.length === 0) {
      verify.finish('succeeded', `${now.length} service(s) ready on the released images`);
      report.state = 'succeeded';
      tracker.changed();
      return 'ok';
    }
    failure = { code: 'HEALTH_FAILED', message: wrong.map((s) => `${name}/${s.service}: ${s.state} on ${s.image ?? 'no image'}, expected ${imageOf.get(s.service)} ready (${s.message})`).join('; ') };
    verify.finish('failed', failure.message);
  }

  const refused = ctx.recording.failure();
  if (refused !== null) return fail('failed', unrecorded(refused, name, tracker.report.id, report.services));
  const cause = failure ?? cancelledError(`while deploying to ${name}`);
  const touched = report.services.filter((s) => s.outcome !== 'not-started').reverse();
  if (env.settings.rollback === 'manual' || touched.length === 0) {
    const outcome = fail(cancelled ? 'cancelled' : 'failed', cause);
    if (touched.length > 0) report.cause = tracker.error({ ...cause, message: `${cause.message}; rollback is manual in ${name}: run convoy undo ${tracker.report.id} --env ${name}` });
    return outcome;
  }
  const rollback = tracker.stage('rollback', name);
  const entries = await rollbackServices(
    touched.map((s) => ({ service: s.service, before: s.before })),
    {
      target: env.target,
      journal: rollback.journal,
      unit: (service, image) => env.unit(service, image),
      deadlineMs: env.settings.timeoutMs,
      redact: ctx.redact,
      runId: tracker.report.id,
      onEntry: (entry) => {
        report.rollbacks.push(entry);
        tracker.changed();
      },
    },
  );
  keepLive(await env.target.status([...ctx.services]).catch(() => []));
  const restored = entries.every(isRestored);
  const count = (...outcomes: RollbackEntry['outcome'][]) => entries.filter((e) => outcomes.includes(e.outcome)).length;
  rollback.finish(restored ? 'succeeded' : 'failed', `${count('rolled-back')} rolled back, ${count('removed')} removed, ${count('already-there')} already there, ${count('impossible', 'failed')} not restored`);
  fail(cancelled ? 'cancelled' : 'failed', cause);
  if (restored) report.state = cancelled ? 'cancelled' : 'rolled-back';
  tracker.changed();
  return cancelled ? 'cancelled' : 'failed';
}
