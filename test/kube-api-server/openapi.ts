// A minimal OpenAPI v3 surface: the /openapi/v3 index and, per group-version, a document listing
// the resource paths and their operations. kubectl reads it to learn that PATCH accepts the
// `fieldValidation` parameter (and so validates on the server instead of downloading schemas).
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from './resources.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'];

function param(name: string, inPath = false): Record<string, unknown> {
  return { name, in: inPath ? 'path' : 'query', ...(inPath ? { required: true } : {}), schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } };
}

function operation(info: ResourceInfo, action: string, params: string[]): Record<string, unknown> {
  return {
    operationId: `${action}${info.kind}`,
    parameters: params.map((p) => param(p)),
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: info.group, version: info.version, kind: info.kind },
  };
}

export function openApiDocument(group: string, version: string): Record<string, unknown> | undefined {
  const infos = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (infos.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const info of infos) {
    const base = `/${gvPath(group, version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.name}`;
    paths[base] = {
      get: operation(info, 'list', ['labelSelector', 'fieldSelector', 'watch', 'resourceVersion', 'timeoutSeconds']),
      post: operation(info, 'post', WRITE_PARAMS),
      delete: operation(info, 'deletecollection', ['labelSelector', 'fieldSelector', 'dryRun']),
      parameters: info.namespaced ? [param('namespace', true)] : [],
    };
    paths[`${base}/{name}`] = {
      get: operation(info, 'get', []),
      put: operation(info, 'put', WRITE_PARAMS),
      patch: operation(info, 'patch', [...WRITE_PARAMS, 'force']),
      delete: operation(info, 'delete', ['dryRun', 'propagationPolicy']),
      parameters: [param('name', true), ...(info.namespaced ? [param('namespace', true)] : [])],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

export function openApiIndex(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const gvs = new Set(RESOURCES.map((r) => `${r.group}|${r.version}`));
  for (const gv of gvs) {
    const [group, version] = gv.split('|') as [string, string];
    const hash = createHash('sha512').update(JSON.stringify(openApiDocument(group, version))).digest('hex').slice(0, 64).toUpperCase();
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
  }
  return { paths };
}

/** Resolves `/openapi/v3` and `/openapi/v3/<gv path>`; undefined for anything else (→ 404). */
export function openApi(path: string): Record<string, unknown> | undefined {
  if (path === '/openapi/v3') return openApiIndex();
  const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  return m[1] ? openApiDocument('', m[1]) : openApiDocument(m[2]!, m[3]!);
}

function protoField(field: number, payload: Buffer): Buffer {
  const header = [(field << 3) | 2];
  let length = payload.length;
  const varint: number[] = [];
  do {
    let byte = length & 0x7f;
    length >>>= 7;
    if (length > 0) byte |= 0x80;
    varint.push(byte);
  } while (length > 0);
  return Buffer.concat([Buffer.from(header), Buffer.from(varint), payload]);
}

/**
 * An empty Swagger 2.0 document (no definitions), so kubectl's client-side schema validation
 * (used for kinds the v3 index does not list) accepts the object and lets the server decide.
 * kubectl asks for the gnostic protobuf form; anything else gets JSON.
 */
export function openApiV2(accept: string | undefined): { body: Buffer; contentType: string } {
  if ((accept ?? '').includes('protobuf')) {
    const info = Buffer.concat([protoField(1, Buffer.from('Kubernetes')), protoField(2, Buffer.from('v1.32.0'))]);
    const body = Buffer.concat([protoField(1, Buffer.from('2.0')), protoField(2, info)]);
    return { body, contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
  }
  const json = { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} };
  return { body: Buffer.from(JSON.stringify(json)), contentType: 'application/json' };
}
