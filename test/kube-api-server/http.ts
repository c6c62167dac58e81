// HTTP routing: discovery documents, auth, faults and the REST verbs on resource paths.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { patchTypeOf, type Api } from './api.js';
import { injectedError } from './fault-status.js';
import type { FaultSpec, FaultState } from './faults.js';
import { openApi, openApiV2 } from './openapi.js';
import { decodeKubeProtobuf } from './protobuf.js';
import { SERVER_VERSION, apiGroup, apiGroupList, apiResourceList, apiVersions, findResource, type ResourceInfo } from './resources.js';
import { SCALABLE, getScale, writeScale } from './scale.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, errors, statusObject } from './status.js';
import type { Store } from './store.js';
import { toTable, wantsTable } from './table.js';
import { dig, isPlainObject, meta } from './util.js';
import type { Watches } from './watch.js';

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
}

export interface RouterDeps {
  api: Api;
  store: Store;
  faults: FaultState;
  watches: Watches;
  token: string | undefined;
  requests: RequestRecord[];
  address: () => string;
}

interface Target {
  info: ResourceInfo;
  namespace: string | null;
  name: string | undefined;
  subresource: string | undefined;
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  if (error.code === 429) headers['Retry-After'] = '0';
  send(res, error.code, error.toStatus(), headers);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim();
  if (type === 'application/vnd.kubernetes.protobuf' && raw.length > 0) return decodeKubeProtobuf(raw);
  if (type.includes('protobuf') || type.includes('cbor')) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`);
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

/** Resolves `/api/v1/...` and `/apis/<group>/<version>/...` resource paths. */
function resolve(segments: string[]): Target | 'discovery' | undefined {
  let group = '';
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') rest = segments.slice(2);
  else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1]!;
    rest = segments.slice(3);
  } else return undefined;
  const version = segments[0] === 'api' ? 'v1' : segments[2]!;
  if (rest.length === 0) return 'discovery';
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const info = findResource(group, version, rest[0]!);
  if (!info || rest.length > 3) return undefined;
  if (!info.namespaced && namespace !== null) return undefined;
  return { info, namespace, name: rest[1], subresource: rest[2] };
}

export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) sendError(res, error);
      else send(res, 500, statusObject(500, 'InternalError', `Internal error occurred: ${(error as Error).message ?? String(error)}`));
    });
  };
}

async function handle(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/\/+$/, '') || '/';
  deps.requests.push({ method, path, query: url.search.replace(/^\?/, ''), contentType: req.headers['content-type'] });

  if (path === FAULTS_PATH) {
    await faultControl(deps, req, res, method);
    return;
  }
  if (deps.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.faults.latencyMs));
  const fault = deps.faults.take(method, path);
  if (fault) {
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.reset) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) throw injectedError(fault.status, method, resolve(path.split('/').filter((s) => s !== '')), fault.message);
  }
  if (['/healthz', '/readyz', '/livez'].includes(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (deps.token !== undefined && req.headers.authorization !== `Bearer ${deps.token}`) {
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  const segments = path.split('/').filter((s) => s !== '');
  if (method === 'GET' && path === '/openapi/v2') {
    const { body, contentType } = openApiV2(req.headers.accept);
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
    return;
  }
  if (method === 'GET') {
    const doc = discovery(path, segments, deps);
    if (doc) {
      send(res, 200, doc);
      return;
    }
  }
  const target = resolve(segments);
  if (target === 'discovery') throw method === 'GET' ? errors.noRoute() : errors.methodNotAllowed();
  if (!target) throw errors.noRoute();
  if (target.subresource === 'scale' && SCALABLE.has(target.info.name) && target.name !== undefined) {
    await scale(deps, req, res, url, method, target as Target & { name: string });
    return;
  }
  if (target.subresource === 'log' && target.info.name === 'pods' && target.name !== undefined && method === 'GET') {
    const namespace = target.namespace;
    const pod = deps.api.get(target.info, deps.api.namespaceOf(target.info, namespace), target.name);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(podLog(pod, url.searchParams.get('container')));
    return;
  }
  if (target.subresource !== undefined && target.subresource !== 'status') throw errors.noRoute();
  await verb(deps, req, res, url, method, target);
}

/** The fault control endpoint: GET lists the rules, POST adds a FaultSpec, DELETE clears them all. */
export const FAULTS_PATH = '/__faults';

async function faultControl(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
  if (method === 'POST') {
    const body = parseBody(await readBody(req), 'application/json');
    try {
      deps.faults.load(body as FaultSpec);
    } catch (error) {
      throw errors.badRequest(`fault spec refused: ${(error as Error).message}`);
    }
  } else if (method === 'DELETE') deps.faults.clear();
  else if (method !== 'GET') throw errors.methodNotAllowed();
  send(res, 200, deps.faults.describe());
}

/** A canned log: this server runs no containers, so it says so (and why a failing one fails). */
function podLog(pod: Record<string, unknown>, container: string | null): string {
  const statuses = (dig(pod, 'status', 'containerStatuses') as Array<Record<string, unknown>> | undefined) ?? [];
  const status = statuses.find((s) => container === null || s.name === container) ?? statuses[0];
  const name = String(status?.name ?? container ?? 'container');
  const reason = dig(status, 'state', 'waiting', 'reason');
  if (reason === 'CrashLoopBackOff') return `${name}: exiting with code 1 (injected CrashLoopBackOff)\n`;
  return `${name}: kube-api-server test pod ${String(dig(pod, 'metadata', 'name'))}, image ${String(status?.image ?? '')}, no real process runs\n`;
}

function discovery(path: string, segments: string[], deps: RouterDeps): Record<string, unknown> | undefined {
  if (path === '/version') return SERVER_VERSION;
  if (path.startsWith('/openapi/v3')) return openApi(path);
  if (path === '/api') return apiVersions(deps.address());
  if (path === '/api/v1') return apiResourceList('', 'v1');
  if (path === '/apis') return apiGroupList();
  if (segments[0] === 'apis' && segments.length === 2) return apiGroup(segments[1]!);
  if (segments[0] === 'apis' && segments.length === 3) return apiResourceList(segments[1]!, segments[2]!);
  return undefined;
}

async function scale(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, target: Target & { name: string }): Promise<void> {
  const { info, name } = target;
  const namespace = info.namespaced ? target.namespace : null;
  if (method === 'GET') {
    send(res, 200, getScale(deps.api, info, namespace, name));
    return;
  }
  if (method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed();
  const contentType = req.headers['content-type'];
  const body = parseBody(await readBody(req), contentType);
  const type = method === 'PATCH' ? patchTypeOf(contentType) : undefined;
  if (method === 'PATCH' && !type) throw errors.unsupportedMediaType(String(contentType));
  const manager = url.searchParams.get('fieldManager') ?? String(req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
  const dryRun = url.searchParams.getAll('dryRun').includes('All');
  send(res, 200, writeScale(deps.api, info, namespace, name, body, type, { manager, dryRun }));
}

async function verb(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, target: Target): Promise<void> {
  const { api, store } = deps;
  const { info, name } = target;
  const q = url.searchParams;
  const dryRun = q.getAll('dryRun').includes('All');
  const manager = q.get('fieldManager') ?? String(req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
  const subresource = target.subresource === 'status' ? ('status' as const) : undefined;
  const contentType = req.headers['content-type'];
  const namespace = info.namespaced ? target.namespace : null;

  if (method === 'GET' && name !== undefined) {
    api.namespaceOf(info, namespace);
    const object = api.get(info, namespace, name);
    send(res, 200, wantsTable(req.headers.accept) ? toTable(info, [object], String(meta(object).resourceVersion)) : object);
    return;
  }
  if (method === 'GET') {
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'));
    if (q.get('watch') === 'true' || q.get('watch') === '1') {
      const timeout = q.get('timeoutSeconds');
      deps.watches.serve(req, res, {
        info,
        namespace,
        labels,
        fields,
        resourceVersion: q.get('resourceVersion'),
        timeoutSeconds: timeout ? Number(timeout) : undefined,
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
        allowBookmarks: q.get('allowWatchBookmarks') === 'true',
        table: wantsTable(req.headers.accept),
      });
      return;
    }
    // Like the real server, a list in a missing namespace is simply empty.
    const items = store.list(info.name, namespace, (o) => labels(meta(o).labels) && fields(o));
    if (wantsTable(req.headers.accept)) {
      send(res, 200, toTable(info, items, store.resourceVersion));
      return;
    }
    send(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      metadata: { resourceVersion: store.resourceVersion },
      items,
    });
    return;
  }
  const body = parseBody(await readBody(req), contentType);
  if (method === 'POST' && name === undefined) {
    send(res, 201, api.create(info, namespace, body, { dryRun, manager }));
    return;
  }
  if (method === 'PUT' && name !== undefined) {
    send(res, 200, api.update(info, namespace, name, body, { dryRun, manager, subresource }));
    return;
  }
  if (method === 'PATCH' && name !== undefined) {
    const type = patchTypeOf(contentType);
    if (!type) throw errors.unsupportedMediaType(String(contentType));
    const force = q.get('force') === 'true';
    const applyManager = type === 'apply' ? (q.get('fieldManager') ?? '') : manager;
    const existed = type === 'apply' && store.peek(info.name, namespace, name) !== undefined;
    const result = api.patch(info, namespace, name, type, body, { dryRun, manager: applyManager, subresource, force });
    send(res, type === 'apply' && !existed ? 201 : 200, result);
    return;
  }
  if (method === 'DELETE') {
    const options = isPlainObject(body) ? body : {};
    const propagationPolicy = q.get('propagationPolicy') ?? (typeof options.propagationPolicy === 'string' ? options.propagationPolicy : undefined);
    const preconditions = isPlainObject(options.preconditions) ? (options.preconditions as { uid?: string; resourceVersion?: string }) : undefined;
    const bodyDryRun = Array.isArray(options.dryRun) && options.dryRun.includes('All');
    if (name !== undefined) {
      send(res, 200, api.delete(info, namespace, name, { dryRun: dryRun || bodyDryRun, propagationPolicy, preconditions }));
      return;
    }
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'));
    const victims = store.list(info.name, namespace, (o) => labels(meta(o).labels) && fields(o));
    const items = victims.map((o) => api.delete(info, meta(o).namespace ?? null, String(meta(o).name), { dryRun: dryRun || bodyDryRun, propagationPolicy }));
    send(res, 200, { kind: `${info.kind}List`, apiVersion: info.group ? `${info.group}/${info.version}` : info.version, metadata: { resourceVersion: store.resourceVersion }, items });
    return;
  }
  throw errors.methodNotAllowed();
}
