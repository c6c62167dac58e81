// A release waiting for approval is stored as waiting before the approver is asked: another process
// decides from the store's copy (convoy approve, a second console), so that copy must say which
// environment waits.
import { describe, expect, it } from 'vitest';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import type { Approver } from '../../../../electron/core/release/run-ports.js';
import { FakeRecorder } from '../../../fakes/release-run.js';
import { createWorld, release } from '../../../support/release-world.js';

describe('approval and the stored record', () => {
  it('stores the record as awaiting approval in staging before asking, and the decision after', async () => {
    const world = createWorld();
    let storedWhenAsked: ReleaseReport | undefined;
    const approver: Approver = {
      request: async () => {
        storedWhenAsked = run.recorder.checkpoints.at(-1);
        return { decision: 'approved', by: 'erin', at: '2026-12-05T07:00:00.000Z', comment: null };
      },
    };
    const run = release(world, { id: 'r1', version: 'v1', approver });
    const report = await run.done;
    expect(report.state).toBe('succeeded');
    expect(storedWhenAsked?.state).toBe('awaiting-approval');
    expect(storedWhenAsked?.environments.map((e) => [e.name, e.state, e.approval.state])).toEqual([
      ['local', 'succeeded', 'not-required'],
      ['staging', 'awaiting-approval', 'waiting'],
    ]);
    expect(run.recorder.checkpoints.some((c) => c.environments[1]!.approval.state === 'approved' && c.environments[1]!.approval.by === 'erin')).toBe(true);
  });

  it('runs with a recorder that stores no checkpoints (the port makes them optional)', async () => {
    const recorder = new FakeRecorder();
    Object.defineProperty(recorder, 'checkpoint', { value: undefined });
    const report = await release(createWorld(), { id: 'r2', version: 'v1', recorder }).done;
    expect(report.state).toBe('succeeded');
    expect(report.environments.map((e) => [e.name, e.state, e.approval.state])).toEqual([
      ['local', 'succeeded', 'not-required'],
      ['staging', 'succeeded', 'approved'],
    ]);
    expect(recorder.checkpoints).toEqual([]);
    expect(recorder.ended?.state).toBe('succeeded');
  });
});
