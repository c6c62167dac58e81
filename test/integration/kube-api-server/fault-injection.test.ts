// The test server's fault injection: request rules per path and verb (a Status answer, a reset, a
// delay, N times then success), set in-process, over POST /__faults and with --fault on the command
// line; and pod/Deployment failures by image (NeverReady, ProgressDeadlineExceeded).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS_PATH } from '../../kube-api-server/index.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } } },
});

/** Polls until `done` holds (a deadline, not a timing assertion). */
async function until<T>(read: () => T | undefined | Promise<T | undefined>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined && done(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached within 5 s');
}

/** One raw GET whose connection the server may destroy: the socket error's code, or the status. */
function rawGet(url: string): Promise<string | number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('request faults', () => {
  it('answers a verb on a path with a Status naming the resource, N times, then lets requests through', async () => {
    h.server.faults.inject({ method: 'PATCH', path: '/deployments/forbidden-one$', status: 403, times: 2 });
    const body = { metadata: { labels: { a: 'b' } } };
    await h.http('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('forbidden-one', 'nginx:1'));
    const patch = () => h.http('PATCH', '/apis/apps/v1/namespaces/default/deployments/forbidden-one', body, { 'content-type': 'application/merge-patch+json' });
    const first = await patch();
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: 'deployments.apps "forbidden-one" is forbidden: User "system:serviceaccount:convoy:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "default"',
      details: { name: 'forbidden-one', group: 'apps', kind: 'deployments' },
    });
    // GET is another verb: untouched.
    expect((await h.http('GET', '/apis/apps/v1/namespaces/default/deployments/forbidden-one')).status).toBe(200);
    expect((await patch()).status).toBe(403);
    const third = await patch();
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ metadata: { labels: { a: 'b' } } });
  });

  it('answers 500 and 503 with their real reasons, and 429 with Retry-After', async () => {
    h.server.faults.inject({ path: '/configmaps', status: 500, times: 1 });
    h.server.faults.inject({ path: '/configmaps', status: 503, times: 1 });
    h.server.faults.inject({ path: '/configmaps', status: 429, times: 1 });
    const list = () => h.http('GET', '/api/v1/namespaces/default/configmaps');
    expect((await list()).body).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: injected fault' });
    expect((await list()).body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    const limited = await list();
    expect(limited.body).toMatchObject({ code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 0 } });
    expect(limited.headers.get('retry-after')).toBe('0');
    expect((await list()).status).toBe(200);
  });

  it('resets the connection, and delays a request that then succeeds', async () => {
    h.server.faults.inject({ path: '/api/v1/namespaces/kube-public$', reset: true, times: 1 });
    h.server.faults.inject({ path: '/api/v1/namespaces/kube-public$', delayMs: 30, times: 1 });
    expect(await rawGet(`${h.server.url}/api/v1/namespaces/kube-public`)).toBe('ECONNRESET');
    const delayed = await h.http('GET', '/api/v1/namespaces/kube-public');
    expect(delayed.status).toBe(200);
    expect(h.server.requests.filter((r) => r.path === '/api/v1/namespaces/kube-public')).toHaveLength(2);
  });

  it('takes, lists and clears rules over the control endpoint, refusing a bad spec', async () => {
    const added = await h.http('POST', FAULTS_PATH, { requests: [{ method: 'DELETE', path: '/secrets/', status: 500 }], images: [{ pattern: ':never$', failure: 'NeverReady' }] });
    expect(added.status).toBe(200);
    expect(added.body.requests).toContainEqual({ method: 'DELETE', path: '\\/secrets\\/', status: 500 });
    expect(added.body.images).toContainEqual({ pattern: ':never$', failure: 'NeverReady' });
    expect((await h.http('DELETE', '/api/v1/namespaces/default/secrets/x')).body).toMatchObject({ code: 500 });
    const refused = await h.http('POST', FAULTS_PATH, { images: [{ pattern: 'x', failure: 'Sleepy' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/unknown image failure Sleepy/);
    expect((await h.http('DELETE', FAULTS_PATH)).body).toMatchObject({ requests: [], images: [], latencyMs: 0 });
    expect((await h.http('DELETE', '/api/v1/namespaces/default/secrets/x')).body).toMatchObject({ code: 404, reason: 'NotFound' });
  });
});

describe('pod and Deployment faults by image', () => {
  it('NeverReady: pods run but never turn ready, and nothing fatal shows', async () => {
    h.server.faults.failImages(/:never-ready$/, 'NeverReady');
    await h.http('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('sleepy', 'shop/sleepy:never-ready'));
    const pod = await until(
      async () => (await podsOf('sleepy'))[0],
      (p) => p.status?.phase === 'Running',
    );
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, state: { running: expect.any(Object) } });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    const d = h.server.get('deployments', 'default', 'sleepy') as { status?: { conditions?: Array<{ type: string; reason: string }> } };
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
  });

  it('ProgressDeadlineExceeded: the Deployment reports its deadline passed at once', async () => {
    h.server.faults.failImages(/:stuck$/, 'ProgressDeadlineExceeded');
    await h.http('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('stuck', 'shop/stuck:stuck'));
    const d = await until(
      () => h.server.get('deployments', 'default', 'stuck') as { status?: { conditions?: Array<{ type: string; reason: string; message: string }> } } | undefined,
      (x) => x.status?.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded') === true,
    );
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', message: expect.stringMatching(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/) });
  });
});

type PodView = { status?: { phase?: string; containerStatuses?: unknown[]; conditions?: Array<{ type: string; status: string; reason?: string }> } };

async function podsOf(app: string): Promise<PodView[]> {
  const list = await h.http('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`);
  return list.body.items as PodView[];
}

describe('--fault on the command line', () => {
  it('starts with the given faults in place', async () => {
    const fault = JSON.stringify({ requests: [{ method: 'GET', path: '^/version$', status: 503, times: 1 }] });
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'scripts/kube-api-server.ts', '--port', '0', '--fault', fault], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !output.includes('faults:'); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(output).toContain(`faults: POST/DELETE/GET ${url}/__faults`);
      expect(await rawGet(`${url}/version`)).toBe(503);
      expect(await rawGet(`${url}/version`)).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
