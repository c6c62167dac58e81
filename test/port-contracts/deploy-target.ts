// One contract for every DeployTargetPort: the same assertions run on the real Kubernetes target (over
// the Kubernetes API test server), the real Docker target (when Docker is up) and the in-memory fake in
// both flavours (test/fakes/deploy-target.ts), so the fake cannot drift from what it stands for.
// Where the two real targets differ (how a rollback is numbered, what a failing rollout does), the
// assertions follow `flavour`, and the fake must match each.
import { describe, expect, it } from 'vitest';
import type { DeployTargetPort, DeployUnit } from '../../electron/core/ports/deploy-target.js';
import { rejectionOf } from './rejection.js';

export type Version = 'v1' | 'v2' | 'broken';

export interface DeployTargetBackend {
  flavour: 'kubernetes' | 'docker';
  /** A target for one environment; called after the suite's beforeAll hooks ran. */
  target: () => DeployTargetPort;
  /** The unit of `service` at `version`; 'broken' never becomes ready. */
  unit: (service: string, version: Version) => DeployUnit;
  /** Called before the broken unit is applied (fault injection, fake scripting). */
  breakRollouts?: (service: string) => void | Promise<void>;
  /** Three services: the main one, one for the failing rollout, one never deployed. */
  services: { main: string; failing: string; absent: string };
  deadlineMs: number;
}

/** Registers the contract's tests; call inside a describe whose beforeAll prepares `backend`. */
export function deployTargetContract(backend: DeployTargetBackend): void {
  const { main, failing, absent } = backend.services;
  let target: DeployTargetPort;
  const of = <T extends { service: string }>(service: string, objects: readonly T[]): T[] => objects.filter((o) => o.service === service);

  describe.sequential(`DeployTargetPort contract (${backend.flavour})`, () => {
    it('reports a service that was never deployed as missing, and refuses to roll it back', async () => {
      target = backend.target();
      const [status] = await target.status([absent]);
      expect(status).toMatchObject({ service: absent, state: 'missing', revision: null, image: null });
      expect(await rejectionOf(target.rollback(absent))).toMatchObject({ code: 'ROLLBACK_REFUSED' });
    });

    it('diffs a new service as an addition, applies it as created and waits for it to be ready', async () => {
      const v1 = backend.unit(main, 'v1');
      const diff = await target.diff([v1]);
      expect(of(main, diff.objects).length).toBeGreaterThan(0);
      expect(of(main, diff.objects).every((o) => o.change === 'add')).toBe(true);
      expect(diff.text).toContain(v1.image);

      const applied = await target.apply([v1]);
      expect(of(main, applied.objects).map((o) => o.action).every((a) => a === 'created')).toBe(true);
      const [ready] = await target.waitReady([v1], { deadlineMs: backend.deadlineMs });
      expect(ready).toMatchObject({ service: main, state: 'ready', revision: '1', image: v1.image });

      const revisions = await target.revisions(main);
      expect(revisions.map((r) => [r.revision, r.image, r.releaseId, r.commit, r.current])).toEqual([['1', v1.image, v1.releaseId, v1.commit, true]]);
      expect(Number.isNaN(Date.parse(revisions[0]?.createdAt ?? ''))).toBe(false);
    });

    it('sees no change in the same unit, and a modification in a new image', async () => {
      const v1 = backend.unit(main, 'v1');
      const same = await target.diff([v1]);
      expect(of(main, same.objects).every((o) => o.change === 'unchanged')).toBe(true);
      expect(same.text).toBe('');
      const again = await target.apply([v1]);
      expect(of(main, again.objects).every((o) => o.action === 'unchanged')).toBe(true);
      expect(await target.revisions(main)).toHaveLength(1);

      const v2 = backend.unit(main, 'v2');
      const next = await target.diff([v2]);
      expect(of(main, next.objects).some((o) => o.change === 'modify')).toBe(true);
      expect(next.text).toMatch(new RegExp(`^-.*${escape(v1.image)}`, 'm'));
      expect(next.text).toMatch(new RegExp(`^\\+.*${escape(v2.image)}`, 'm'));
    });

    it('rolls out a new revision and lists revisions newest first, the current one marked', async () => {
      const v1 = backend.unit(main, 'v1');
      const v2 = backend.unit(main, 'v2');
      const applied = await target.apply([v2]);
      expect(of(main, applied.objects).some((o) => o.action === 'configured')).toBe(true);
      const [ready] = await target.waitReady([v2], { deadlineMs: backend.deadlineMs });
      expect(ready).toMatchObject({ state: 'ready', revision: '2', image: v2.image });
      const revisions = await target.revisions(main);
      expect(revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
        ['2', v2.image, true],
        ['1', v1.image, false],
      ]);
    });

    it('rolls back to the previous revision as a new revision, as kubectl rollout undo does', async () => {
      const v1 = backend.unit(main, 'v1');
      const v2 = backend.unit(main, 'v2');
      const result = await target.rollback(main);
      expect(result).toMatchObject({ service: main, from: '2', to: '1' });
      // Kubernetes numbers the new revision asynchronously; Docker names it at once.
      expect(result.current).toBe(backend.flavour === 'kubernetes' ? null : '3');
      const [ready] = await target.waitReady([v1], { deadlineMs: backend.deadlineMs });
      expect(ready).toMatchObject({ state: 'ready', revision: '3', image: v1.image });

      const revisions = await target.revisions(main);
      expect(revisions.filter((r) => r.current).map((r) => r.revision)).toEqual(['3']);
      // Kubernetes moves revision 1's ReplicaSet to number 3; Docker copies revision 1 and keeps it.
      expect(revisions.map((r) => [r.revision, r.image])).toEqual(
        backend.flavour === 'kubernetes'
          ? [
              ['3', v1.image],
              ['2', v2.image],
            ]
          : [
              ['3', v1.image],
              ['2', v2.image],
              ['1', v1.image],
            ],
      );
      const [status] = await target.status([main]);
      expect(status).toMatchObject({ state: 'ready', revision: '3', image: v1.image });
    });

    it('refuses an unknown revision naming the known ones, and treats the current one by its rules', async () => {
      const unknown = await rejectionOf(target.rollback(main, '42'));
      expect(unknown).toMatchObject({ code: 'ROLLBACK_REFUSED' });
      expect(unknown.message).toMatch(/known revisions: 3/);
      if (backend.flavour === 'kubernetes') {
        expect(await target.rollback(main, '3')).toEqual({ service: main, from: '3', to: '3', current: '3' });
      } else {
        expect(await rejectionOf(target.rollback(main, '3'))).toMatchObject({ code: 'ROLLBACK_REFUSED', message: expect.stringMatching(/already current/) });
      }
    });

    it('reports a rollout that fails: Kubernetes applies it and fails the wait, Docker keeps the old revision', async () => {
      const good = backend.unit(failing, 'v1');
      await target.apply([good]);
      await target.waitReady([good], { deadlineMs: backend.deadlineMs });
      await backend.breakRollouts?.(failing);
      const broken = backend.unit(failing, 'broken');
      if (backend.flavour === 'kubernetes') {
        await target.apply([broken]);
        expect(await rejectionOf(target.waitReady([broken], { deadlineMs: backend.deadlineMs }))).toMatchObject({ code: 'ROLLOUT_FAILED' });
        const [status] = await target.status([failing]);
        expect(status).toMatchObject({ state: 'failed', revision: '2', image: broken.image });
      } else {
        expect(await rejectionOf(target.apply([broken]))).toMatchObject({ code: 'HEALTH_FAILED' });
        const [status] = await target.status([failing]);
        expect(status).toMatchObject({ state: 'ready', revision: '1', image: good.image });
        expect((await target.revisions(failing)).map((r) => r.revision)).toEqual(['1']);
      }
    });

    it('removes a service with its history, so it reads as never deployed; removing it again changes nothing', async () => {
      const removed = await target.remove(main);
      expect(removed.service).toBe(main);
      expect(removed.removed.length).toBeGreaterThan(0);
      const [status] = await target.status([main]);
      expect(status).toMatchObject({ service: main, state: 'missing', revision: null, image: null });
      // Kubernetes has no Deployment to read revisions from any more; Docker has no containers left.
      if (backend.flavour === 'kubernetes') expect(await rejectionOf(target.revisions(main))).toMatchObject({ code: 'KUBE_NOT_FOUND' });
      else expect(await target.revisions(main)).toEqual([]);
      expect(await rejectionOf(target.rollback(main))).toMatchObject({ code: 'ROLLBACK_REFUSED' });
      expect(await target.remove(main)).toEqual({ service: main, removed: [] });
      expect(await target.remove(absent)).toEqual({ service: absent, removed: [] });
    });

    it('answers CANCELLED to a call whose signal was aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      expect(await rejectionOf(target.status([main], { signal: controller.signal }))).toMatchObject({ code: 'CANCELLED' });
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
