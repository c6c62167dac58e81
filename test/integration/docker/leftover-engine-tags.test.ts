// The leftovers sweep's engine (electron/adapters/docker/leftover-engine.ts) answers which image a
// reference names now: how a dead release's registry tag (an `image.tag` journal step) is judged still
// to name the image the run recorded before it is adopted. Against the real engine, on a tag of the
// seeded busybox image that this test makes and removes.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLeftoverEngine } from '../../../electron/adapters/docker/leftover-engine.js';
import { docker, endpoint, requireDocker, skipDocker } from '../../support/docker-engine.js';

const repo = `127.0.0.1:5999/convoy-leftover-${randomBytes(3).toString('hex')}/busybox`;

afterAll(async () => {
  if (!skipDocker) await docker.getImage(`${repo}:t1`).remove({ noprune: true }).catch(() => undefined);
});

describe.skipIf(skipDocker)('LeftoverEngine.imageIdOf', () => {
  it('names the image a registry tag points at, and null for a tag that does not exist', async () => {
    requireDocker();
    const base = await docker.getImage('busybox:1.36.1').inspect();
    await docker.getImage('busybox:1.36.1').tag({ repo, tag: 't1' });
    const engine = createLeftoverEngine(endpoint);
    expect(await engine.imageIdOf(`${repo}:t1`)).toBe(base.Id);
    expect(await engine.imageIdOf(`${repo}:never-made`)).toBeNull();
  });
});
