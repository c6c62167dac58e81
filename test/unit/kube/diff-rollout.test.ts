import { describe, expect, it } from 'vitest';
import { diffLines, diffObject, maskSecrets, normalizeForDiff, unifiedDiff } from '../../../electron/adapters/kube/diff.js';
import { deploymentRolloutState, podProblem, selectorString, timedOutReplicaSet, type DeploymentLike } from '../../../electron/adapters/kube/rollout.js';

describe('diff normalisation and masking', () => {
  it('drops server-owned fields', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', resourceVersion: '7', generation: 2, uid: 'u', creationTimestamp: new Date(0), managedFields: [{ manager: 'x' }], labels: { a: 'b' } },
      data: { k: 'v' },
      status: { x: 1 },
    };
    expect(normalizeForDiff(live)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { a: 'b' } }, data: { k: 'v' } });
  });

  it('masks Secret values: same → ***, changed or new key → *** (changed)', () => {
    const before = { kind: 'Secret', data: { same: 'YQ==', changed: 'Yg==', gone: 'Yw==' } };
    const after = { kind: 'Secret', data: { same: 'YQ==', changed: 'ZA==', added: 'ZQ==' }, stringData: { s: 'plain' } };
    const m = maskSecrets(before, after);
    expect(m.before).toEqual({ kind: 'Secret', data: { same: '***', changed: '***', gone: '***' } });
    expect(m.after).toEqual({ kind: 'Secret', data: { same: '***', changed: '*** (changed)', added: '*** (changed)' }, stringData: { s: '*** (changed)' } });
    expect(maskSecrets(null, { kind: 'Secret', data: { k: 'c2VjcmV0' } }).after).toEqual({ kind: 'Secret', data: { k: '***' } });
    const d = diffObject('Secret ns/s', before, after);
    expect(d.diff).not.toMatch(/YQ==|ZA==|Yg==|plain/);
    expect(d.diff).toContain('+  changed: "*** (changed)"');
  });

  it('marks new objects as additions and identical ones as unchanged', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    const added = diffObject('ConfigMap ns/a', null, obj);
    expect(added.change).toBe('add');
    expect(added.diff).toMatch(/^--- \/dev\/null\n\+\+\+ desired\/ConfigMap ns\/a\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: v1/);
    expect(diffObject('ConfigMap ns/a', { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } }, obj)).toEqual({ change: 'unchanged', diff: '' });
    const changed = diffObject('ConfigMap ns/a', obj, { ...obj, data: { k: 'w' } });
    expect(changed.change).toBe('modify');
    expect(changed.diff).toContain('-  k: v\n+  k: w');
  });

  it('line diff is a minimal edit script and unified hunks carry correct ranges', () => {
    const a = ['a', 'b', 'c', 'd'];
    const b = ['a', 'x', 'c', 'd', 'e'];
    const ops = diffLines(a, b);
    expect(ops.filter((o) => o.op === ' ').map((o) => o.line)).toEqual(['a', 'c', 'd']);
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const changed = lines.map((l, i) => (i === 2 || i === 17 ? `${l}!` : l));
    const text = unifiedDiff(lines, changed, 'x', 'y', 3);
    expect(text.match(/^@@.*$/gm)).toEqual(['@@ -1,6 +1,6 @@', '@@ -15,6 +15,6 @@']);
    expect(unifiedDiff(lines, lines, 'x', 'y')).toBe('');
  });
});

describe('rollout status rules (kubectl rollout status)', () => {
  const dep = (gen: number, observed: number, spec: number, status: Partial<NonNullable<DeploymentLike['status']>>): DeploymentLike => ({
    metadata: { name: 'orders-api', generation: gen },
    spec: { replicas: spec },
    status: { observedGeneration: observed, ...status },
  });
  it.each([
    ['spec not observed yet', dep(3, 2, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), false, null, /spec update to be observed/],
    ['new replicas not all updated', dep(2, 2, 2, { replicas: 3, updatedReplicas: 1, availableReplicas: 2 }), false, null, /1 of 2 new replicas updated/],
    ['old replicas pending termination', dep(2, 2, 2, { replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), false, null, /1 old replicas pending termination/],
    ['updated not yet available', dep(2, 2, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), false, null, /orders-api: 1 of 2 updated replicas available/],
    ['rolled out', dep(2, 2, 2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), true, null, /rolled out/],
    [
      'progress deadline exceeded',
      dep(2, 2, 2, { replicas: 3, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] }),
      false,
      /exceeded its progress deadline/,
      /deadline/,
    ],
    ['scaled to zero', dep(1, 1, 0, {}), true, null, /rolled out/],
  ])('%s', (_name, d, done, failed, message) => {
    const s = deploymentRolloutState(d);
    expect(s.done).toBe(done);
    if (failed) expect(s.failed).toMatch(failed);
    else expect(s.failed).toBeNull();
    expect(s.message).toMatch(message);
  });

  // Seen on the real control plane: after `rollout undo` of a timed-out rollout the controller keeps
  // Progressing=False/ProgressDeadlineExceeded naming the failed ReplicaSet, at the new generation,
  // until the old pods are gone (generation 3, observed 3, replicas 2, updated 1, available 1).
  describe('a ProgressDeadlineExceeded left from the ReplicaSet the Deployment went back from', () => {
    const undone = dep(3, 3, 1, {
      replicas: 2,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-5467b85fc5" has timed out progressing.' }],
    });
    it('is stale when the current ReplicaSet is another one: the rollout goes on', () => {
      expect(timedOutReplicaSet(undone)).toBe('web-5467b85fc5');
      expect(deploymentRolloutState(undone, 'web', 'web-85f6679786')).toEqual({ done: false, failed: null, message: 'web: 1 old replicas pending termination' });
    });
    it('fails the rollout when it names the current ReplicaSet, or the current one is unknown (kubectl\'s rule)', () => {
      expect(deploymentRolloutState(undone, 'web', 'web-5467b85fc5').failed).toMatch(/web: deployment exceeded its progress deadline \(ProgressDeadlineExceeded: ReplicaSet "web-5467b85fc5"/);
      expect(deploymentRolloutState(undone, 'web', null).failed).toMatch(/exceeded its progress deadline/);
      expect(deploymentRolloutState(undone, 'web').failed).toMatch(/exceeded its progress deadline/);
    });
  });

  it('treats a missing spec.replicas as 1', () => {
    expect(deploymentRolloutState({ metadata: { generation: 1 }, spec: {}, status: { observedGeneration: 1 } }).message).toMatch(/0 of 1 new replicas/);
  });
});

describe('pod warnings', () => {
  it.each(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff'])('%s fails the pod, naming pod and container', (reason) => {
    const p = podProblem({ metadata: { name: 'orders-api-abc-1' }, status: { containerStatuses: [{ name: 'ok', state: {} }, { name: 'orders-api', state: { waiting: { reason, message: 'boom' } } }] } });
    expect(p).toEqual({ pod: 'orders-api-abc-1', container: 'orders-api', reason, message: 'boom' });
  });
  it('Unschedulable fails the pod; ContainerCreating does not', () => {
    expect(podProblem({ metadata: { name: 'p' }, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes' }] } })?.reason).toBe('Unschedulable');
    expect(podProblem({ metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }] } })).toBeNull();
  });
  it('selector strings', () => {
    expect(selectorString({ matchLabels: { a: 'b', c: 'd' }, matchExpressions: [{ key: 'e', operator: 'In', values: ['f', 'g'] }, { key: 'h', operator: 'Exists' }] })).toBe('a=b,c=d,e in (f,g),h');
  });
});
