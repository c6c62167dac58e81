// The releases running in this process: their latest record (for history.get while they run), the
// controller release.cancel aborts, and the approvals they wait for (release.approve / reject). A
// decision can also come from another process (`convoy approve`, a second console) through the store:
// while a release waits, this process reads the store's `release.decision` events every `pollMs`.
import { ConvoyError } from '../../../shared/errors.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { EventRecord, EventStore } from '../../core/ports/event-store.js';
import type { ApprovalDecision, ApprovalRequest, Approver } from '../../core/release/run-ports.js';

interface Pending {
  environment: string;
  resolve: (decision: ApprovalDecision) => void;
}

interface Live {
  report: ReleaseReport | null;
  controller: AbortController;
  pending: Pending | null;
  /** Reads the store for a cancel asked in another process; null without a store. */
  watch: ReturnType<typeof setInterval> | null;
}

export type ApprovalMode = 'wait' | 'auto' | 'refuse';

export interface LiveReleasesOptions {
  now?: () => Date;
  /** Where decisions and cancels asked in other processes are found; without it only this process can ask. */
  store?: Pick<EventStore, 'listEvents'>;
  /** How often a waiting release looks for one (a person is waiting on the other end: short). */
  pollMs?: number;
}

export class LiveReleases {
  private readonly runs = new Map<string, Live>();
  private readonly now: () => Date;
  private readonly store: Pick<EventStore, 'listEvents'> | null;
  private readonly pollMs: number;

  constructor(options: LiveReleasesOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.store = options.store ?? null;
    this.pollMs = options.pollMs ?? 500;
  }

  /** Whether the release runs in this process. */
  has(releaseId: string): boolean {
    return this.runs.has(releaseId);
  }

  /**
   * Registers a starting release; its signal aborts on release.cancel (in this process, or written to
   * the store by another one after this start: a resumed release keeps its id) or when `jobSignal` aborts.
   */
  start(releaseId: string, jobSignal?: AbortSignal): AbortSignal {
    const controller = new AbortController();
    jobSignal?.addEventListener('abort', () => controller.abort(), { once: true });
    const live: Live = { report: null, controller, pending: null, watch: null };
    if (this.store) {
      const after = this.newEvents(releaseId, 'release.cancelRequested', 0).at(-1)?.id ?? 0;
      live.watch = setInterval(() => {
        if (this.newEvents(releaseId, 'release.cancelRequested', after).length > 0) controller.abort();
      }, this.pollMs);
      live.watch.unref?.();
    }
    this.runs.set(releaseId, live);
    return controller.signal;
  }

  update(report: ReleaseReport): void {
    const live = this.runs.get(report.id);
    if (live) live.report = report;
  }

  end(releaseId: string): void {
    const live = this.runs.get(releaseId);
    if (live?.watch) clearInterval(live.watch);
    this.runs.delete(releaseId);
  }

  report(releaseId: string): ReleaseReport | null {
    return this.runs.get(releaseId)?.report ?? null;
  }

  cancel(releaseId: string): boolean {
    const live = this.runs.get(releaseId);
    if (!live || live.controller.signal.aborted) return false;
    live.controller.abort();
    return true;
  }

  /** How the release asks for approval: it waits for decide(), or `auto` answers at once as `by`. */
  approver(mode: ApprovalMode, by: string): Approver {
    return {
      request: (request: ApprovalRequest) => {
        if (mode === 'auto') return Promise.resolve({ decision: 'approved', by, at: this.now().toISOString(), comment: 'approved up front (--yes)' });
        const live = this.runs.get(request.releaseId);
        if (!live) return Promise.reject(new ConvoyError('INTERNAL', `release ${request.releaseId} is not registered`));
        // Decisions stored before this request are for earlier environments (or earlier waits).
        const after = this.storedDecisions(request.releaseId, 0).at(-1)?.id ?? 0;
        return new Promise<ApprovalDecision>((resolve, reject) => {
          let poll: ReturnType<typeof setInterval> | null = null;
          const onAbort = () => {
            if (poll) clearInterval(poll);
            live.pending = null;
            reject(new ConvoyError('CANCELLED', `The release was cancelled while waiting for approval in ${request.environment}; nothing was applied there`));
          };
          if (request.signal.aborted) return onAbort();
          request.signal.addEventListener('abort', onAbort, { once: true });
          const pending: Pending = {
            environment: request.environment,
            resolve: (decision) => {
              if (poll) clearInterval(poll);
              request.signal.removeEventListener('abort', onAbort);
              live.pending = null;
              resolve(decision);
            },
          };
          live.pending = pending;
          if (this.store) {
            poll = setInterval(() => {
              const stored = this.storedDecisions(request.releaseId, after).find((e) => e.environment === request.environment);
              if (stored && live.pending === pending) pending.resolve({ decision: stored.decision, by: stored.by, at: stored.at, comment: stored.comment });
            }, this.pollMs);
            // A waiting release must not keep a process alive that is otherwise done (its job ended).
            poll.unref?.();
          }
        });
      },
    };
  }

  /** The `release.decision` events of a release after the cursor. */
  private storedDecisions(releaseId: string, afterId: number): Array<{ id: number; environment: string; decision: ApprovalDecision['decision']; by: string; at: string; comment: string | null }> {
    return this.newEvents(releaseId, 'release.decision', afterId).flatMap((e) => (e.name === 'release.decision' ? [{ id: e.id, ...e.payload }] : []));
  }

  /** A release's events of one name after the cursor; none without a store, or when it cannot be read now (the next poll tries again). */
  private newEvents(releaseId: string, name: 'release.decision' | 'release.cancelRequested', afterId: number): EventRecord[] {
    if (!this.store) return [];
    try {
      return this.store.listEvents(releaseId, { name, afterId });
    } catch {
      return [];
    }
  }

  decide(releaseId: string, decision: ApprovalDecision['decision'], by: string, environment?: string, comment?: string): { environment: string } {
    const pending = this.runs.get(releaseId)?.pending;
    if (!pending || (environment !== undefined && pending.environment !== environment)) {
      const where = environment ? ` in ${environment}` : '';
      throw new ConvoyError(
        'RELEASE_NOT_WAITING',
        pending
          ? `Release ${releaseId} waits for approval in ${pending.environment}, not${where}`
          : `Release ${releaseId} is not waiting for approval${where} now`,
      );
    }
    const env = pending.environment;
    pending.resolve({ decision, by, at: this.now().toISOString(), comment: comment ?? null });
    return { environment: env };
  }
}
