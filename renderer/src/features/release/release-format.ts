// How a release's parts read on screen: durations in seconds, and which states are finished, so the
// screen knows when the record stops changing and what a person can still do.
import type { ReleaseReport, ReleaseState, StageReport } from '../../../../shared/release-report.js';

/** A duration as "1.2 s"; a stage still running has none yet. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const FINISHED: readonly ReleaseState[] = ['succeeded', 'failed', 'rolled-back', 'cancelled', 'rejected'];

export function isFinished(state: ReleaseState): boolean {
  return FINISHED.includes(state);
}

/** A stage's label: the stages before the environments have none. */
export function stageLabel(stage: StageReport): string {
  return stage.environment ? `${stage.environment} · ${stage.name}` : stage.name;
}

/** The environment waiting for a decision, if any. */
export function waitingEnvironment(report: ReleaseReport) {
  return report.environments.find((e) => e.state === 'awaiting-approval' || e.approval.state === 'waiting') ?? null;
}

/** Badge class of a stage or release state: green when done well, red when not, grey otherwise. */
export function stateTone(state: string): 'ok' | 'bad' | 'pending' {
  if (state === 'succeeded' || state === 'ready' || state === 'unchanged') return 'ok';
  if (['failed', 'rolled-back', 'cancelled', 'rejected'].includes(state)) return 'bad';
  return 'pending';
}
