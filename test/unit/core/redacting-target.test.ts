// The redacting target (redacting-target.ts) in the cases the mutation run (docs/mutation.md) found
// unpinned: it learns the secrets of the units it applies or waits for (declared ones and credentials in
// env values), redacts progress lines, the results of apply, waitReady and revisions, and passes
// options without progress and close() through.
import { describe, expect, it } from 'vitest';
import type { DeployTargetPort, DeployUnit, ObjectRef, TargetCallOptions } from '../../../electron/core/ports/deploy-target.js';
import { type RedactionGate, createRedactionGate } from '../../../electron/core/redact.js';
import { redactingTarget } from '../../../electron/core/redacting-target.js';

const DECLARED = 'declared-Secret-41';
const PASSWORD = 'url-Passw0rd-77';

function unit(overrides: Partial<DeployUnit> = {}): DeployUnit {
  return {
    service: 'api', image: 'shop/api:1', releaseId: 'r1', commit: null, manifestsDir: null, port: null, health: null,
    env: { DATABASE_URL: `postgres://app:${PASSWORD}@db:5432/shop` }, secrets: [DECLARED], ...overrides,
  } as DeployUnit;
}

/** A target that repeats back whatever text it was given, so a missing redaction shows. */
function echoTarget(seen: { options: Array<TargetCallOptions | undefined>; closed: number }): DeployTargetPort {
  const say = (o: TargetCallOptions | undefined) => {
    seen.options.push(o);
    o?.progress?.(`working with ${DECLARED}`, 0.5);
  };
  return {
    kind: 'docker',
    environment: 'local',
    diff: async () => ({ environment: 'local', objects: [], text: '' }),
    apply: async (units, o) => (say(o), { environment: 'local', objects: [{ service: 'api', object: `container ${DECLARED}`, action: 'created' as const }] }),
    waitReady: async (units, o) => (say(o), [{ service: 'api', state: 'ready' as const, revision: '1', image: 'i', message: `log: ${PASSWORD}` }]),
    status: async () => [],
    revisions: async (service, o) => (say(o), [{ service, revision: '1', image: `i ${DECLARED}`, commit: null, releaseId: null, createdAt: null, current: true }]),
    rollback: async (service) => ({ service, from: null, to: '1', current: '1' }),
    remove: async (service) => ({ service, removed: [] }),
    close: async () => void seen.closed++,
  };
}

describe('redactingTarget', () => {
  it('learns the secrets of applied units, and hides them in apply results and progress lines', async () => {
    const seen = { options: [] as Array<TargetCallOptions | undefined>, closed: 0 };
    const gate = createRedactionGate();
    const target = redactingTarget(echoTarget(seen), gate);
    const progress: Array<[string, number | null | undefined]> = [];
    const applied = await target.apply([unit()], { progress: (message, fraction) => void progress.push([message, fraction]) });
    expect(applied.objects[0]!.object).toBe('container [redacted]');
    expect(progress).toEqual([['working with [redacted]', 0.5]]);
    expect(gate.text(`${DECLARED} ${PASSWORD}`)).toBe('[redacted] [redacted]');
  });

  it('learns from the units it waits for too, and hides them in statuses and revisions', async () => {
    const seen = { options: [] as Array<TargetCallOptions | undefined>, closed: 0 };
    const gate = createRedactionGate();
    const target = redactingTarget(echoTarget(seen), gate);
    const [status] = await target.waitReady([unit({ secrets: undefined })], { deadlineMs: 1000 });
    expect(status!.message).toBe('log: [redacted]');
    expect(gate.text(PASSWORD)).toBe('[redacted]');
    await target.waitReady([unit()], { deadlineMs: 1000 });
    expect((await target.revisions('api'))[0]!.image).toBe('i [redacted]');
  });

  it('passes options without a progress callback as they are, and close() through', async () => {
    const seen = { options: [] as Array<TargetCallOptions | undefined>, closed: 0 };
    const target = redactingTarget(echoTarget(seen), createRedactionGate());
    const options = { runId: 'r1' };
    await target.apply([unit()], options);
    await target.revisions('api');
    expect(seen.options).toEqual([options, undefined]);
    expect(seen.options[0]).toBe(options);
    await target.close!();
    expect(seen.closed).toBe(1);
  });

  it('passes a thrown non-Error value on untouched', async () => {
    const target = redactingTarget({ ...echoTarget({ options: [], closed: 0 }), status: async () => Promise.reject('plain string') }, createRedactionGate());
    await expect(target.status(['api'])).rejects.toBe('plain string');
  });

  it('learns only the credentials of a unit that declares no secrets', async () => {
    const inner = createRedactionGate();
    const added: string[][] = [];
    const gate: RedactionGate = { ...inner, add: (values) => (added.push([...values]), inner.add(values)) };
    await redactingTarget(echoTarget({ options: [], closed: 0 }), gate).apply([unit({ secrets: undefined })]);
    expect(added).toEqual([[PASSWORD]]);
  });

  it('passes objects() through when the target has it, redacting what it reads and its progress lines; leaves it out when not', async () => {
    const gate = createRedactionGate([DECLARED]);
    const seen: Array<{ refs: ObjectRef[]; options: TargetCallOptions | undefined }> = [];
    const ref: ObjectRef = { service: 'api', apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'api', object: 'Secret shop/api' };
    const base = echoTarget({ options: [], closed: 0 });
    const target = redactingTarget(
      {
        ...base,
        objects: async (refs, o) => {
          seen.push({ refs, options: o });
          o?.progress?.(`reading ${DECLARED}`);
          return [{ object: 'Secret shop/api', now: null, ready: false, message: `cannot read: token ${DECLARED}` }];
        },
      },
      gate,
    );
    const progress: string[] = [];
    const live = await target.objects!([ref], { progress: (message) => void progress.push(message) });
    expect(live).toEqual([{ object: 'Secret shop/api', now: null, ready: false, message: 'cannot read: token [redacted]' }]);
    expect(progress).toEqual(['reading [redacted]']);
    expect(seen.map((s) => s.refs)).toEqual([[ref]]);
    expect('objects' in redactingTarget(base, gate)).toBe(false);
  });
});
