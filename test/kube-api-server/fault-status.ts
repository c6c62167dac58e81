// The Status an injected fault answers with: the reason and message the real API server gives for
// that code, naming the resource of the request path when there is one.
import type { ResourceInfo } from './resources.js';
import { ApiError, qualifiedResource, type StatusDetails } from './status.js';

export interface FaultTarget {
  info: ResourceInfo;
  namespace: string | null;
  name: string | undefined;
}

/** The RBAC verb of a request, as a 403 names it. */
function rbacVerb(method: string, named: boolean): string {
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function injectedError(code: number, method: string, resolved: FaultTarget | 'discovery' | undefined, override?: string): ApiError {
  const target = resolved === 'discovery' ? undefined : resolved;
  const resource = target ? qualifiedResource(target.info) : undefined;
  const name = target?.name;
  const details: StatusDetails | undefined = target
    ? { ...(name ? { name } : {}), ...(target.info.group ? { group: target.info.group } : {}), kind: target.info.name }
    : undefined;
  const said = (text: string) => override ?? text;
  switch (code) {
    case 401:
      return new ApiError(401, 'Unauthorized', said('Unauthorized'));
    case 403: {
      const subject = resource ? `${resource}${name ? ` "${name}"` : ''} is forbidden: ` : 'forbidden: ';
      const scope = target?.namespace ? ` in the namespace "${target.namespace}"` : '';
      const group = target ? ` in API group "${target.info.group}"` : '';
      return new ApiError(403, 'Forbidden', said(`${subject}User "system:serviceaccount:convoy:deployer" cannot ${rbacVerb(method, Boolean(name))} resource "${target?.info.name ?? 'this path'}"${group}${scope}`), details);
    }
    case 404:
      return new ApiError(404, 'NotFound', said(resource && name ? `${resource} "${name}" not found` : 'the server could not find the requested resource'), details);
    case 409:
      return new ApiError(409, 'Conflict', said(`Operation cannot be fulfilled on ${resource ?? 'this object'}${name ? ` "${name}"` : ''}: the object has been modified; please apply your changes to the latest version and try again`), details);
    case 422:
      return new ApiError(422, 'Invalid', said(`${target?.info.kind ?? 'object'} "${name ?? ''}" is invalid: injected fault`), details);
    case 429:
      return new ApiError(429, 'TooManyRequests', said('Too many requests, please try again later.'), { ...details, retryAfterSeconds: 0 });
    case 500:
      return new ApiError(500, 'InternalError', said('Internal error occurred: injected fault'), details);
    case 502:
      return new ApiError(502, 'InternalError', said('Bad Gateway (injected fault)'));
    case 503:
      return new ApiError(503, 'ServiceUnavailable', said('The server is currently unable to handle the request (injected fault)'));
    case 504:
      return new ApiError(504, 'Timeout', said('The server was unable to return a response in the time allotted, but may still be processing the request (injected fault)'));
    default:
      return new ApiError(code, code === 400 ? 'BadRequest' : 'Unknown', said(`injected fault (HTTP ${code})`), details);
  }
}
