// convoy.yaml parsing against arbitrary input: whatever the file holds — random YAML-ish text, a YAML
// document of random values in Convoy's shape, or one of YAML's odd corners — loading it gives either a
// valid configuration or a CONFIG_INVALID error that names the file; it never crashes with anything else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { stringify } from 'yaml';
import { loadWorkspaceConfig } from '../../electron/adapters/config/load-config.js';
import { WorkspaceConfig } from '../../shared/config.js';
import { ConvoyError } from '../../shared/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-config-property-'));
const file = path.join(dir, 'convoy.yaml');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const yamlish = fc.string({
  unit: fc.constantFrom(...'ab:-\n \t[]{},&*!|>\'"#%@?<=~0123.e+xyz'.split(''), 'environments', 'kind', 'docker', '!!binary', '<<', 'true', '${A}'),
  maxLength: 80,
});

// Convoy's keys with random values (the right type, the wrong one, or nothing at all).
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('5m', '0s', '90s', 'docker', 'kubernetes', 'auto', -1, 65_536, Number.POSITIVE_INFINITY, 1.5));
const environment = fc.record(
  {
    name: fc.oneof(fc.constantFrom('local', 'staging', 'Prod'), fc.string({ maxLength: 6 })),
    target: fc.oneof(fc.record({ kind: fc.constantFrom('docker', 'kubernetes', 'ssh'), context: leaf, namespace: leaf, ports: leaf }, { requiredKeys: ['kind'] }), leaf),
    approval: fc.oneof(fc.record({ required: leaf }), leaf),
    rollback: leaf,
    gates: fc.oneof(fc.record({ resources: leaf, allow: fc.oneof(leaf, fc.record({ privileged: leaf })) }, { requiredKeys: [] }), leaf),
    deploy: fc.oneof(fc.record({ concurrency: leaf, timeout: leaf }, { requiredKeys: [] }), leaf),
    env: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(leaf, fc.record({ fromEnv: leaf, value: leaf, secret: leaf }, { requiredKeys: [] }))), leaf),
  },
  { requiredKeys: [] },
);
const shaped = fc
  .record(
    {
      nx: leaf,
      build: fc.oneof(fc.record({ concurrency: leaf, testTimeoutSeconds: leaf }, { requiredKeys: [] }), leaf),
      deploy: fc.oneof(fc.record({ concurrency: leaf, timeout: leaf }, { requiredKeys: [] }), leaf),
      secrets: fc.oneof(fc.record({ env: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), leaf) }), leaf),
      environments: fc.oneof(fc.array(environment, { maxLength: 3 }), leaf),
      extra: leaf,
    },
    { requiredKeys: [] },
  )
  .map((value) => stringify(value));

const corners = fc.constantFrom(
  '*a\n', // an alias without its anchor once escaped as a ReferenceError
  'a: &a [*a]\n',
  'environments: &e\n  - name: x\n    target: *e\n',
  'x: &x {y: 1}\n<<: *x\n',
  '!!binary aGVsbG8=\n',
  'environments: !!set {a, b}\n',
  '--- \n--- \n',
  'nx: !custom workspace\n',
  '%YAML 9.9\n---\nnx: workspace\n',
  `${'['.repeat(300)}${']'.repeat(300)}\n`,
  'build: {concurrency: 0x10}\n',
  '? [a, b]\n: c\n',
  '\uFEFFnx: bundled\n',
);

describe('loadWorkspaceConfig (property)', () => {
  test.prop([fc.oneof(yamlish, shaped, corners)])('gives a valid configuration or a CONFIG_INVALID error naming the file', (text) => {
    fs.writeFileSync(file, text);
    let loaded: ReturnType<typeof loadWorkspaceConfig> | undefined;
    try {
      loaded = loadWorkspaceConfig(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ConvoyError);
      expect((err as ConvoyError).code).toBe('CONFIG_INVALID');
      expect((err as ConvoyError).message).toContain(file);
      return;
    }
    expect(loaded.file).toBe(file);
    expect(WorkspaceConfig.safeParse(loaded.config).success).toBe(true);
  });
});
