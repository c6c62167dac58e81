// metav1.Status failures, thrown as ApiError and rendered by the HTTP layer.
import type { ResourceInfo } from './resources.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails): Record<string, unknown> {
  const status: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) status.details = details;
  status.code = code;
  return status;
}

export function successStatus(details?: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** `deployments.apps` or `pods`: how error messages name a resource. */
export function qualifiedResource(info: ResourceInfo): string {
  return info.group ? `${info.name}.${info.group}` : info.name;
}

function details(info: ResourceInfo, name: string): StatusDetails {
  return info.group ? { name, group: info.group, kind: info.name } : { name, kind: info.name };
}

export const errors = {
  notFound(info: ResourceInfo, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(info)} "${name}" not found`, details(info, name));
  },
  namespaceNotFound(namespace: string): ApiError {
    return new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
  },
  alreadyExists(info: ResourceInfo, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualifiedResource(info)} "${name}" already exists`, details(info, name));
  },
  conflict(info: ResourceInfo, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": ${why}`, details(info, name));
  },
  invalid(info: ResourceInfo, name: string, causes: Array<{ field: string; message: string; type?: string }>): ApiError {
    const kind = info.group ? `${info.kind}.${info.group}` : info.kind;
    const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    const message = `${kind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`;
    return new ApiError(422, 'Invalid', message, {
      name,
      ...(info.group ? { group: info.group } : {}),
      kind: info.kind,
      causes: causes.map((c) => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  },
  noRoute(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  unsupportedMediaType(type: string): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type})`);
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
};
