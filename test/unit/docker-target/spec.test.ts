// The Docker target's pure parts: names, roles, the spec label, env handling, masking and the text diff.
import { describe, expect, it } from 'vitest';
import {
  candidateName,
  checkNamePart,
  checkSpec,
  containerName,
  decodeSpecLabel,
  demuxDockerLog,
  encodeSpecLabel,
  envFromList,
  envToList,
  isSecretName,
  lastLines,
  renderSpec,
  retiredName,
  roleOf,
  sameSpec,
  unifiedDiff,
  type ServiceSpec,
} from '../../../electron/adapters/docker-target/spec.js';
import { ConvoyError } from '../../../shared/errors.js';

const base: ServiceSpec = {
  image: 'shop/orders-api:1',
  port: 8080,
  health: '/healthz',
  hostPort: null,
  env: { LOG_LEVEL: 'info', API_TOKEN: 's3cr3t-value' },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ConvoyError ? err.code : 'not a ConvoyError';
  }
  return undefined;
}

describe('names and roles', () => {
  it('names the current, candidate and retired containers', () => {
    expect(containerName('staging', 'orders-api')).toBe('convoy-staging-orders-api');
    expect(candidateName('staging', 'orders-api', 4)).toBe('convoy-staging-orders-api-next-4');
    expect(retiredName('staging', 'orders-api', 3)).toBe('convoy-staging-orders-api-r3');
  });

  it('tells the roles apart from Docker names', () => {
    expect(roleOf('/convoy-staging-orders-api', 'staging', 'orders-api')).toBe('current');
    expect(roleOf('/convoy-staging-orders-api-next-4', 'staging', 'orders-api')).toBe('candidate');
    expect(roleOf('convoy-staging-orders-api-r12', 'staging', 'orders-api')).toBe('retired');
    expect(roleOf('/convoy-staging-orders-api-rx', 'staging', 'orders-api')).toBe('other');
    expect(roleOf('/convoy-staging-orders', 'staging', 'orders-api')).toBe('other');
  });

  it('refuses names Docker would refuse', () => {
    expect(codeOf(() => checkNamePart('service', 'orders-api'))).toBeUndefined();
    expect(codeOf(() => checkNamePart('service', '@shop/orders'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkNamePart('environment', ''))).toBe('CONFIG_INVALID');
  });
});

describe('spec label', () => {
  it('round-trips without env values', () => {
    const text = encodeSpecLabel(base);
    expect(text).not.toContain('s3cr3t');
    expect(decodeSpecLabel(text)).toEqual({ v: 1, port: 8080, health: '/healthz', hostPort: null, envKeys: ['API_TOKEN', 'LOG_LEVEL'] });
  });

  it('rejects labels it did not write', () => {
    expect(decodeSpecLabel(undefined)).toBeNull();
    expect(decodeSpecLabel('{')).toBeNull();
    expect(decodeSpecLabel('{"v":2}')).toBeNull();
    expect(decodeSpecLabel('{"v":1,"port":70000,"health":null,"hostPort":null,"envKeys":[]}')).toBeNull();
  });

  it('reads back only the unit env keys from Config.Env', () => {
    const list = ['PATH=/bin', 'LOG_LEVEL=info', 'API_TOKEN=a=b'];
    expect(envFromList(list, ['LOG_LEVEL', 'API_TOKEN'])).toEqual({ API_TOKEN: 'a=b', LOG_LEVEL: 'info' });
    expect(envToList({ B: '2', A: '1' })).toEqual(['A=1', 'B=2']);
  });

  it('compares specs field by field', () => {
    expect(sameSpec(base, { ...base, env: { API_TOKEN: 's3cr3t-value', LOG_LEVEL: 'info' } })).toBe(true);
    expect(sameSpec(base, { ...base, env: { ...base.env, LOG_LEVEL: 'debug' } })).toBe(false);
    expect(sameSpec(base, { ...base, hostPort: 18080 })).toBe(false);
    expect(sameSpec(base, { ...base, image: 'shop/orders-api:2' })).toBe(false);
  });
});

describe('masking and diff', () => {
  it('treats names with TOKEN, SECRET, PASSWORD, KEY as secret', () => {
    for (const name of ['API_TOKEN', 'client_secret', 'DB_PASSWORD', 'STRIPE_KEY', 'apikey']) expect(isSecretName(name)).toBe(true);
    for (const name of ['LOG_LEVEL', 'PORT', 'HOST']) expect(isSecretName(name)).toBe(false);
  });

  it('renders secrets masked, and marks a changed secret', () => {
    const next = { ...base, env: { ...base.env, API_TOKEN: 'other-value' } };
    const oldLines = renderSpec(base);
    const newLines = renderSpec(next, {}, base);
    expect(oldLines.join('\n')).not.toContain('s3cr3t');
    expect(newLines.join('\n')).not.toContain('other-value');
    expect(oldLines).toContain('  API_TOKEN=***');
    expect(newLines).toContain('  API_TOKEN=*** (changed)');
    expect(renderSpec(base, {}, base)).toContain('  API_TOKEN=***');
    expect(unifiedDiff(oldLines, newLines, 'a', 'b')).toContain('-  API_TOKEN=***\n+  API_TOKEN=*** (changed)');
  });

  it('prints a unified diff of changed lines', () => {
    const text = unifiedDiff(['a', 'b', 'c'], ['a', 'B', 'c', 'd'], 'old', 'new');
    expect(text).toBe(['--- old', '+++ new', '@@ -1,3 +1,4 @@', ' a', '-b', '+B', ' c', '+d', ''].join('\n'));
    expect(unifiedDiff([], ['x'], '/dev/null', 'new')).toContain('@@ -0,0 +1,1 @@\n+x\n');
  });

  it('diffs a new image and env change', () => {
    const next: ServiceSpec = { ...base, image: 'shop/orders-api:2', env: { ...base.env, LOG_LEVEL: 'debug' } };
    const text = unifiedDiff(renderSpec(base), renderSpec(next, {}, base), 'a', 'b');
    expect(text).toContain('-image: shop/orders-api:1\n+image: shop/orders-api:2');
    expect(text).toContain('-  LOG_LEVEL=info\n+  LOG_LEVEL=debug');
    expect(text).toContain('   API_TOKEN=***');
  });
});

describe('unit checks', () => {
  it('needs a port for a health path or a host port', () => {
    expect(codeOf(() => checkSpec('s', 'a', base))).toBeUndefined();
    expect(codeOf(() => checkSpec('s', 'a', { ...base, port: null }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkSpec('s', 'a', { ...base, port: null, health: null, hostPort: 9000 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkSpec('s', 'a', { ...base, health: 'healthz' }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkSpec('s', 'a', { ...base, hostPort: 70000 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkSpec('s', 'a', { ...base, env: { 'A=B': '1' } }))).toBe('CONFIG_INVALID');
  });
});

describe('logs', () => {
  it('demultiplexes Docker log frames and keeps the last lines', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const raw = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n'), frame(1, 'three\n')]);
    expect(demuxDockerLog(raw)).toBe('one\ntwo\nthree\n');
    expect(demuxDockerLog(Buffer.from('plain text'))).toBe('plain text');
    expect(lastLines('a\n\nb\nc\n', 2)).toBe('b\nc');
  });
});
