// The releases running in this process: their latest record (for history.get while they run), the
// controller release.cancel aborts, and the approvals they wait for (release.approve / reject).
import { ConvoyError } from '../../../shared/errors.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { ApprovalDecision, ApprovalRequest, Approver } from '../../core/release/run-ports.js';

interface Pending {
  environment: string;
  resolve: (decision: ApprovalDecision) => void;
}

interface Live {
  report: ReleaseReport | null;
  controller: AbortController;
  pending: Pending | null;
}

export type ApprovalMode = 'wait' | 'auto' | 'refuse';

export class LiveReleases {
  private readonly runs = new Map<string, Live>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Registers a starting release; its signal aborts on release.cancel or when `jobSignal` aborts. */
  start(releaseId: string, jobSignal?: AbortSignal): AbortSignal {
    const controller = new AbortController();
    jobSignal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.runs.set(releaseId, { report: null, controller, pending: null });
    return controller.signal;
  }

  update(report: ReleaseReport): void {
    const live = this.runs.get(report.id);
    if (live) live.report = report;
  }

  end(releaseId: string): void {
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
        return new Promise<ApprovalDecision>((resolve, reject) => {
          const onAbort = () => {
            live.pending = null;
            reject(new ConvoyError('CANCELLED', `The release was cancelled while waiting for approval in ${request.environment}; nothing was applied there`));
          };
          if (request.signal.aborted) return onAbort();
          request.signal.addEventListener('abort', onAbort, { once: true });
          live.pending = {
            environment: request.environment,
            resolve: (decision) => {
              request.signal.removeEventListener('abort', onAbort);
              live.pending = null;
              resolve(decision);
            },
          };
        });
      },
    };
  }

  decide(releaseId: string, decision: ApprovalDecision['decision'], by: string, environment?: string, comment?: string): { environment: string } {
    const pending = this.runs.get(releaseId)?.pending;
    if (!pending || (environment !== undefined && pending.environment !== environment)) {
      const where = environment ? ` in ${environment}` : '';
      throw new ConvoyError(
        'RELEASE_NOT_WAITING',
        pending
          ? `Release ${releaseId} waits for approval in ${pending.environment}, not${where}`
          : `Release ${releaseId} is not waiting for approval${where} in this process (it may have finished, or run in another process)`,
      );
    }
    const env = pending.environment;
    pending.resolve({ decision, by, at: this.now().toISOString(), comment: comment ?? null });
    return { environment: env };
  }
}
