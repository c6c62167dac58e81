import { describe, expect, it } from 'vitest';
import { engineError, isUnreachable } from '../../../electron/adapters/docker/docker-errors.js';
import { REDACTED, createRedactor } from '../../../electron/core/redact.js';

const redact = createRedactor(['hunter2-secret']);
const ctx = { endpoint: 'unix:///var/run/docker.sock', what: 'Image build of shop failed', fallback: 'BUILD_FAILED' as const, redact };

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('engineError', () => {
  it('names the endpoint and the fix when the engine cannot be reached', () => {
    const err = engineError(errno('ENOENT', 'connect ENOENT /var/run/docker.sock'), ctx);
    expect(err.code).toBe('DOCKER_UNAVAILABLE');
    expect(err.message).toContain('unix:///var/run/docker.sock');
    expect(err.message).toMatch(/start Docker/);
    expect(err.message).toContain('DOCKER_HOST');
    expect(engineError(errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:2375'), ctx).code).toBe('DOCKER_UNAVAILABLE');
    expect(engineError(errno('EACCES', 'connect EACCES /var/run/docker.sock'), ctx).message).toMatch(/docker group/);
  });

  it('maps Docker\'s own "invalid reference format" to IMAGE_NAME_INVALID', () => {
    const daemon = Object.assign(new Error('(HTTP code 400) unexpected - invalid reference format: repository name must be lowercase'), {
      statusCode: 400,
    });
    const err = engineError(daemon, ctx);
    expect(err.code).toBe('IMAGE_NAME_INVALID');
    expect(err.message).toContain('repository name must be lowercase');
  });

  it('falls back to the given code and redacts the engine message', () => {
    const daemon = Object.assign(new Error('(HTTP code 500) server error - bad arg hunter2-secret'), { statusCode: 500 });
    const err = engineError(daemon, ctx);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toContain(REDACTED);
    expect(err.message).not.toContain('hunter2-secret');
    expect(isUnreachable(daemon)).toBe(false);
  });
});
