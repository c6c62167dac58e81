// Failing rollouts through the real kubectl: images that never pull or keep crashing, the
// progress deadline, and a paused deployment that does not roll out.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, eventually, startHarness, type Harness } from './helpers.js';

interface PodLike {
  metadata: { labels?: Record<string, string> };
  status?: { containerStatuses?: Array<{ restartCount: number; ready: boolean; state: { waiting?: { reason: string } } }> };
}

describe('failing rollouts', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.server.faults.failImages('pull-me-not', 'ImagePullBackOff');
    h.server.faults.failImages(/crash-loop:/, 'CrashLoopBackOff');
  });
  afterAll(async () => {
    await h.close();
  });

  async function pods(app: string): Promise<PodLike[]> {
    const out = await h.kubectl(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
    return (JSON.parse(out.stdout) as { items: PodLike[] }).items;
  }

  it('reports ImagePullBackOff and fails rollout status once the progress deadline passes', async () => {
    const file = h.write('pull.yaml', stringify(deployment('puller', 'registry.local/pull-me-not:1', { progressDeadlineSeconds: 1 })));
    expect((await h.kubectl(['apply', '--server-side', '-f', file])).code).toBe(0);
    const waiting = await eventually(async () => {
      const list = await pods('puller');
      const reasons = list.map((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason);
      return list.length === 2 && reasons.every((r) => r === 'ImagePullBackOff') ? list : undefined;
    });
    expect(waiting.every((p) => p.status?.containerStatuses?.[0]?.ready === false)).toBe(true);

    const status = await h.kubectl(['rollout', 'status', 'deployment/puller', '--timeout=20s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "puller" exceeded its progress deadline');
    const conditions = (h.server.get('deployments', 'default', 'puller')!.status as { conditions: Array<Record<string, string>> }).conditions;
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }));
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'False' }));
  });

  it('keeps the old replica set serving while a crash-looping image fails to roll out', async () => {
    const good = deployment('cruncher', 'registry.local/cruncher:1', { progressDeadlineSeconds: 1 });
    const file = h.write('crunch.yaml', stringify(good));
    expect((await h.kubectl(['apply', '--server-side', '-f', file])).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/cruncher', '--timeout=20s'])).code).toBe(0);

    const bad = h.write('crunch-bad.yaml', stringify(deployment('cruncher', 'registry.local/crash-loop:2', { progressDeadlineSeconds: 1 })));
    expect((await h.kubectl(['apply', '--server-side', '-f', bad])).code).toBe(0);
    const status = await h.kubectl(['rollout', 'status', 'deployment/cruncher', '--timeout=20s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('exceeded its progress deadline');

    const crashing = await eventually(async () => {
      const list = (await pods('cruncher')).filter((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff');
      return list.length > 0 && list.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2) ? list : undefined;
    });
    expect(crashing).toHaveLength(2);
    const deploy = h.server.get('deployments', 'default', 'cruncher')!;
    // the old pods stay (maxUnavailable rounds down to 0 for 2 replicas), so the service keeps its endpoints
    expect(deploy.status).toMatchObject({ availableReplicas: 2, updatedReplicas: 2, replicas: 4 });

    const undo = await h.kubectl(['rollout', 'undo', 'deployment/cruncher']);
    expect(undo.code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/cruncher', '--timeout=20s'])).code).toBe(0);
  });

  it('does not roll out a paused deployment until it is resumed', async () => {
    const file = h.write('paused.yaml', stringify(deployment('sleeper', 'registry.local/sleeper:1', { replicas: 1 })));
    expect((await h.kubectl(['apply', '--server-side', '-f', file])).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/sleeper', '--timeout=20s'])).code).toBe(0);
    expect((await h.kubectl(['rollout', 'pause', 'deployment/sleeper'])).code).toBe(0);
    const changed = h.write('paused2.yaml', stringify(deployment('sleeper', 'registry.local/sleeper:2', { replicas: 1 })));
    expect((await h.kubectl(['apply', '--server-side', '-f', changed])).code).toBe(0);
    await eventually(() => {
      const d = h.server.get('deployments', 'default', 'sleeper');
      return (d?.status as { observedGeneration?: number } | undefined)?.observedGeneration === 3 ? d : undefined;
    });
    const sets = await h.kubectl(['get', 'rs', '-l', 'app=sleeper', '-o', 'name']);
    expect(sets.stdout.trim().split('\n')).toHaveLength(1);
    const resume = await h.kubectl(['rollout', 'resume', 'deployment/sleeper']);
    expect(resume.code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deployment/sleeper', '--timeout=20s'])).code).toBe(0);
    const after = await h.kubectl(['get', 'rs', '-l', 'app=sleeper', '-o', 'name']);
    expect(after.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('keeps only revisionHistoryLimit old replica sets', async () => {
    for (const tag of ['1', '2', '3', '4']) {
      const manifest = deployment('historian', `registry.local/historian:${tag}`, { replicas: 1 });
      (manifest.spec as Record<string, unknown>).revisionHistoryLimit = 1;
      expect((await h.kubectl(['apply', '--server-side', '-f', h.write(`historian-${tag}.yaml`, stringify(manifest))])).code).toBe(0);
      expect((await h.kubectl(['rollout', 'status', 'deployment/historian', '--timeout=20s'])).code).toBe(0);
    }
    const sets = await eventually(async () => {
      const out = await h.kubectl(['get', 'rs', '-l', 'app=historian', '-o', 'json']);
      const list = (JSON.parse(out.stdout) as { items: Array<{ metadata: { annotations: Record<string, string> } }> }).items;
      return list.length === 2 ? list : undefined;
    });
    expect(sets.map((s) => s.metadata.annotations['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4']);
    const history = await h.kubectl(['rollout', 'history', 'deployment/historian']);
    expect(history.stdout).toMatch(/3\s+<none>\n4\s+<none>/);
  });
});
