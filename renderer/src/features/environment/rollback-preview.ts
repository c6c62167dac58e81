// What a rollback will change, worked out from target.revisions before anything is asked of the
// target: the running revision, the one it goes back to, and each field that differs.
import type { TargetRevision } from '../../../../shared/domain.js';

export interface RevisionChange {
  field: 'image' | 'commit' | 'release' | 'deployed';
  from: string | null;
  to: string | null;
}

export interface RollbackPreview {
  current: TargetRevision | null;
  target: TargetRevision;
  changes: RevisionChange[];
}

/** The revisions a rollback may go to: every one but the running one (newest first, as listed). */
export function rollbackChoices(revisions: readonly TargetRevision[]): TargetRevision[] {
  return revisions.filter((r) => !r.current);
}

/** The default target, as `kubectl rollout undo` picks it: the revision just before the running one. */
export function defaultRollbackTarget(revisions: readonly TargetRevision[]): TargetRevision | null {
  const at = revisions.findIndex((r) => r.current);
  if (at === -1) return rollbackChoices(revisions)[0] ?? null;
  return revisions[at + 1] ?? null;
}

export function rollbackPreview(revisions: readonly TargetRevision[], toRevision: string): RollbackPreview | null {
  const target = revisions.find((r) => r.revision === toRevision && !r.current);
  if (!target) return null;
  const current = revisions.find((r) => r.current) ?? null;
  const fields: Array<[RevisionChange['field'], (r: TargetRevision) => string | null]> = [
    ['image', (r) => r.image],
    ['commit', (r) => r.commit],
    ['release', (r) => r.releaseId],
    ['deployed', (r) => r.createdAt],
  ];
  return {
    current,
    target,
    changes: fields.map(([field, read]) => ({ field, from: current ? read(current) : null, to: read(target) })),
  };
}
