// The one redaction gate and the structural masking of both targets' diffs: secrets hidden by value
// (plain, base64, URL-encoded), by name, and by shape (URL passwords, Bearer/Basic values), in
// answers, errors, events, stored values and diffs.
import { describe, expect, it } from 'vitest';
import { diffObject, LAST_APPLIED } from '../../../electron/adapters/kube/diff.js';
import { renderSpec, secretEnvKeys, unifiedDiff, type ServiceSpec } from '../../../electron/adapters/docker-target/spec.js';
import { createDispatcher, type Handlers } from '../../../electron/core/dispatcher.js';
import { stubHandlers } from '../../support/stub-handlers.js';
import { createEventBus } from '../../../electron/core/events.js';
import { createRedactionGate, secretForms } from '../../../electron/core/redact.js';
import { redactingTarget } from '../../../electron/core/redacting-target.js';
import type { DeployTargetPort } from '../../../electron/core/ports/deploy-target.js';
import { credentialsIn, maskCredentials } from '../../../electron/core/secret-shapes.js';
import { ConvoyError } from '../../../shared/errors.js';

const SECRET = 'pl4nted/S3cret+Value:42';
const forms = [SECRET, Buffer.from(SECRET).toString('base64'), encodeURIComponent(SECRET)];
const leaks = (text: string) => forms.filter((form) => text.includes(form));

describe('the gate', () => {
  it('hides a secret in plain, base64 and URL-encoded forms', () => {
    expect(secretForms(SECRET)).toEqual(expect.arrayContaining(forms));
    const gate = createRedactionGate([SECRET]);
    const text = forms.map((f) => `value=${f};`).join(' ');
    expect(leaks(gate.text(text))).toEqual([]);
    expect(gate.text(text)).toBe('value=[redacted]; value=[redacted]; value=[redacted];');
  });

  it('hides credentials by their shape, without being told', () => {
    const gate = createRedactionGate();
    expect(gate.text('DATABASE_URL=postgres://app:hunter2-pw@db:5432/app')).toBe('DATABASE_URL=postgres://app:[redacted]@db:5432/app');
    expect(gate.text('UPSTREAM_AUTH=Bearer eyJhbGciOi.payload.sig')).toBe('UPSTREAM_AUTH=Bearer [redacted]');
    const basic = Buffer.from('user:pw-123456').toString('base64');
    expect(gate.text(`Authorization: Basic ${basic}`)).toBe('Authorization: Basic [redacted]');
    expect(gate.text('Basic setup complete; see https://example.com/docs')).toBe('Basic setup complete; see https://example.com/docs');
    expect(credentialsIn('postgres://app:p%40ss%2Fword@db')).toEqual(['p%40ss%2Fword', 'p@ss/word']);
    expect(maskCredentials('https://user@host/x')).toBe('https://user@host/x');
  });

  it('learns secrets as they are found, and redacts every string of a value, keys included', () => {
    const gate = createRedactionGate();
    expect(gate.text(`token ${SECRET}`)).toBe(`token ${SECRET}`);
    gate.add([SECRET]);
    expect(gate.value({ a: [`x ${SECRET}`, 1, null], [SECRET]: { b: true } })).toEqual({ a: ['x [redacted]', 1, null], '[redacted]': { b: true } });
  });

  it('guards answers, errors and job results of the dispatcher, and events on the bus', async () => {
    const gate = createRedactionGate([SECRET]);
    const seen: unknown[] = [];
    const events = createEventBus({ redact: gate.value });
    events.subscribe((name, payload) => seen.push([name, payload]));
    const handlers = stubHandlers({
      'app.info': () => {
        throw new ConvoyError('INTERNAL', `could not use ${SECRET}`);
      },
      'history.list': () => ({ runs: [{ id: 'r', kind: 'build', workspace: '/w', environment: null, base: null, head: null, status: 'succeeded', createdAt: 'x', finishedAt: null, summary: `built with ${SECRET}` }] }),
      'workspace.open': async (_input: unknown, ctx: { progress(m: string): void }) => {
        ctx.progress(`reading ${SECRET}`);
        throw new ConvoyError('WORKSPACE_ERROR', `bad ${encodeURIComponent(SECRET)}`);
      },
    } as Partial<Handlers>);
    const dispatcher = createDispatcher({ handlers, events, newId: () => 'job-1', redact: gate.value });
    const info = await dispatcher.dispatch('app.info', {}, { transport: 'in-process' });
    const list = await dispatcher.dispatch('history.list', {}, { transport: 'in-process' });
    await dispatcher.dispatch('workspace.open', { dir: '/w' }, { transport: 'in-process' });
    await dispatcher.idle();
    events.emit('build.log', { runId: 'r', jobId: null, project: 'p', phase: 'build', line: `echo ${SECRET}` });
    const all = JSON.stringify([info, list, seen]);
    expect(leaks(all)).toEqual([]);
    expect(info).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'could not use [redacted]' } });
    expect(all).toContain('built with [redacted]');
    expect(all).toContain('reading [redacted]');
    expect(all).toContain('bad [redacted]');
    expect(all).toContain('echo [redacted]');
  });

  it('guards a target: diffs per object and combined, status, and errors', async () => {
    const gate = createRedactionGate([SECRET]);
    const fake: DeployTargetPort = {
      kind: 'docker',
      environment: 'local',
      diff: async () => ({ environment: 'local', objects: [{ service: 's', object: 'o', change: 'modify', diff: `+x=${SECRET}\n` }], text: `+x=${SECRET}\n` }),
      apply: async () => ({ environment: 'local', objects: [] }),
      waitReady: async () => [],
      status: async () => [{ service: 's', state: 'failed', revision: '1', image: 'i', message: `last log lines:\n${SECRET}` }],
      revisions: async () => [],
      rollback: async () => {
        throw new ConvoyError('HEALTH_FAILED', `container said ${SECRET}`);
      },
      remove: async (service) => ({ service, removed: [`container with ${SECRET} in its name`] }),
    };
    const target = redactingTarget(fake, gate);
    const diff = await target.diff([]);
    expect(diff.text).toBe('+x=[redacted]\n');
    expect(diff.objects[0]!.diff).toBe('+x=[redacted]\n');
    expect((await target.status(['s']))[0]!.message).toBe('last log lines:\n[redacted]');
    await expect(target.rollback('s')).rejects.toMatchObject({ code: 'HEALTH_FAILED', message: 'container said [redacted]' });
    expect(await target.remove('s')).toEqual({ service: 's', removed: ['container with [redacted] in its name'] });
  });
});

describe('structural masking in the Kubernetes diff', () => {
  const deployment = (env: Array<{ name: string; value: string }>, annotations: Record<string, string> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', annotations },
    spec: { template: { spec: { containers: [{ name: 'api', image: 'i', env }] } } },
  });

  it('drops the last-applied annotation, which repeats Secret values', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: { [LAST_APPLIED]: JSON.stringify({ stringData: { k: SECRET }, data: { d: Buffer.from(SECRET).toString('base64') } }), keep: 'me' } }, stringData: { k: SECRET } };
    const d = diffObject('Secret shop/s', secret, { ...secret, stringData: { k: 'other-value-1' } });
    expect(leaks(d.diff)).toEqual([]);
    expect(d.diff).not.toContain(LAST_APPLIED);
    expect(d.diff).toContain('keep: me');
    expect(d.diff).toContain('*** (changed)');
  });

  it('masks env values by name, by declared value and by credentials, on both sides', () => {
    const live = deployment([
      { name: 'API_TOKEN', value: 'old-token-1' },
      { name: 'DATABASE_URL', value: 'postgres://app:old-pw-1@db/app' },
      { name: 'SETTING', value: 'plain-old' },
      { name: 'UPSTREAM_AUTH', value: 'Bearer same-bearer-1' },
    ]);
    const desired = deployment([
      { name: 'API_TOKEN', value: 'new-token-1' },
      { name: 'DATABASE_URL', value: `postgres://app:${encodeURIComponent(SECRET)}@db/app` },
      { name: 'SETTING', value: SECRET },
      { name: 'UPSTREAM_AUTH', value: 'Bearer same-bearer-1' },
    ]);
    const d = diffObject('Deployment shop/api', live, desired, new Set([SECRET]));
    expect(leaks(d.diff)).toEqual([]);
    for (const raw of ['old-token-1', 'new-token-1', 'old-pw-1', 'plain-old', 'same-bearer-1']) expect(d.diff).not.toContain(raw);
    expect(d.diff).toContain('+              value: "*** (changed)"');
  });
});

describe('structural masking in the Docker target diff', () => {
  const base: ServiceSpec = { image: 'shop/api:1', port: 8080, health: null, hostPort: null, env: { LOG_LEVEL: 'info', SETTING: 'plain-old', DATABASE_URL: 'postgres://app:old-pw-1@db', UPSTREAM_AUTH: 'Bearer bearer-old-1' } };
  const next: ServiceSpec = { ...base, env: { LOG_LEVEL: 'info', SETTING: SECRET, DATABASE_URL: `postgres://app:${encodeURIComponent(SECRET)}@db`, UPSTREAM_AUTH: `Bearer ${SECRET}` } };

  it('masks values declared secret, URL passwords and Bearer values, on both sides, marking changes', () => {
    const secrets = new Set([SECRET]);
    const secretKeys = secretEnvKeys([base, next], secrets);
    const text = unifiedDiff(renderSpec(base, { secrets, secretKeys }), renderSpec(next, { secrets, secretKeys }, base), 'a', 'b');
    expect(leaks(text)).toEqual([]);
    for (const raw of ['plain-old', 'old-pw-1', 'bearer-old-1']) expect(text).not.toContain(raw);
    expect(text).toContain('-  SETTING=***\n');
    expect(text).toContain('+  SETTING=*** (changed)');
    expect(text).toContain('+  DATABASE_URL=*** (changed)');
    expect(text).toContain('+  UPSTREAM_AUTH=*** (changed)');
    expect(text).toContain('   LOG_LEVEL=info');
  });
});
