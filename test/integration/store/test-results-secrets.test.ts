// A remembered test keeps its environment only as a hash: no value of it (a secret least of all) is in
// any file of the data directory, the database or its WAL, while the store is open or after.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { tempDir } from './helpers.js';

const SECRET = 'tok_9f8e7d6c5b4a39281706';

function bytesOfDataDir(dir: string): Buffer {
  return Buffer.concat(fs.readdirSync(dir).map((file) => fs.readFileSync(path.join(dir, file))));
}

describe('passed tests in convoy.db', () => {
  it('stores the image, command, timeout and the environment names, never an environment value', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const key = { imageId: 'sha256:1234abcd', command: ['sh', '-c', 'npm test'], env: { API_TOKEN: SECRET, NODE_ENV: 'test-plain-value' }, timeoutMs: 45_000 };
    store.recordTestOutcome(key, { passed: true, runId: 'run-1' });
    expect(store.findPassedTest(key)?.runId).toBe('run-1');

    const open = bytesOfDataDir(dir);
    expect(open.includes('sha256:1234abcd')).toBe(true);
    expect(open.includes('API_TOKEN')).toBe(true);
    for (const value of [SECRET, Buffer.from(SECRET).toString('base64'), 'test-plain-value']) expect(open.includes(value), value).toBe(false);

    store.close();
    const closed = bytesOfDataDir(dir);
    expect(closed.includes('sha256:1234abcd')).toBe(true);
    for (const value of [SECRET, 'test-plain-value']) expect(closed.includes(value), value).toBe(false);

    const reopened = openStore(dir);
    expect(reopened.findPassedTest(key)?.runId).toBe('run-1');
    reopened.close();
  });
});
