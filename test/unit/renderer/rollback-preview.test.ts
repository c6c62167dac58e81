// What the rollback confirmation offers and shows, from target.revisions alone.
import { describe, expect, it } from 'vitest';
import { defaultRollbackTarget, rollbackChoices, rollbackPreview } from '../../../renderer/src/features/environment/rollback-preview.js';
import type { TargetRevision } from '../../../shared/domain.js';

function revision(n: string, current = false, image: string | null = `shop/api:v${n}`): TargetRevision {
  return { service: 'api', revision: n, image, commit: `c${n}`, releaseId: `r${n}`, createdAt: `2026-12-0${n}T00:00:00.000Z`, current };
}

describe('rollback preview', () => {
  it('defaults to the revision just before the running one, as rollout undo does', () => {
    expect(defaultRollbackTarget([revision('3', true), revision('2'), revision('1')])?.revision).toBe('2');
    // After an earlier rollback the running revision need not be the newest one listed.
    expect(defaultRollbackTarget([revision('3'), revision('2', true), revision('1')])?.revision).toBe('1');
    expect(defaultRollbackTarget([revision('1', true)])).toBeNull();
    expect(defaultRollbackTarget([revision('2'), revision('1')])?.revision).toBe('2');
  });

  it('offers every revision but the running one, and never previews the running one', () => {
    const list = [revision('3', true), revision('2'), revision('1')];
    expect(rollbackChoices(list).map((r) => r.revision)).toEqual(['2', '1']);
    expect(rollbackPreview(list, '3')).toBeNull();
    expect(rollbackPreview(list, '9')).toBeNull();
  });

  it('lists image, commit, release and time, running → after', () => {
    const preview = rollbackPreview([revision('3', true), revision('2', false, null)], '2');
    expect(preview?.current?.revision).toBe('3');
    expect(preview?.changes).toEqual([
      { field: 'image', from: 'shop/api:v3', to: null },
      { field: 'commit', from: 'c3', to: 'c2' },
      { field: 'release', from: 'r3', to: 'r2' },
      { field: 'deployed', from: '2026-12-03T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
    ]);
  });
});
