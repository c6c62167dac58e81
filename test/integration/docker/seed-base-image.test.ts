// scripts/seed-base-image.sh on the real Docker Engine: it makes a working base image from the host's
// static busybox with no registry, and a second run changes nothing. A throwaway tag is used so the
// shared busybox:1.36.1 is never touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, requireDocker, skipDocker } from '../../support/docker-engine.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(repo, 'scripts', 'seed-base-image.sh');
const TAG = `convoy-seed-test-${randomBytes(4).toString('hex')}:1`;

function seed(): { code: number; out: string } {
  const result = spawnSync('bash', [script], { env: { ...process.env, CONVOY_BASE_IMAGE: TAG, CONVOY_TRY_PULL: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status ?? 1, out: `${result.stdout}${result.stderr}` };
}

describe.skipIf(skipDocker)('seed-base-image.sh', () => {
  afterAll(async () => {
    await docker.getImage(TAG).remove({ force: true }).catch(() => {});
  });

  it('imports a working image offline, then finds it present and does nothing', () => {
    requireDocker();
    const first = seed();
    expect(first.out).toContain(`imported ${TAG}`);
    expect(first.code).toBe(0);
    const id = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', TAG], { encoding: 'utf8' }).trim();

    const second = seed();
    expect(second.code).toBe(0);
    expect(second.out).toContain('already present');
    expect(execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', TAG], { encoding: 'utf8' }).trim()).toBe(id);

    // The applets the example services and their tests use are there and run as nobody.
    const run = execFileSync('docker', ['run', '--rm', '--network', 'none', '--user', '65534:65534', TAG, 'sh', '-c', 'echo -n ok | base64 && test -x /bin/httpd && test -x /bin/wget && echo tools && id -u'], { encoding: 'utf8' });
    expect(run.split('\n')).toEqual(['b2s=', 'tools', '65534', '']);
  });
});
