// `convoy recover` over a store on a read-only disk (issue 13, bad input): real `convoy` processes run in
// a private mount namespace (unshare -m) where the data directory is bind-mounted read-only, as on a
// disk remounted read-only after an error. Listing, resuming and rolling back are each refused with
// STORE_UNWRITABLE naming the directory and EROFS, exit 1, and the store file is byte for byte what it
// was: nothing recorded, so nothing applied (an effect never starts without its intent row). Skipped
// where the system cannot make a mount namespace (not root, no unshare).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { FakeDockerEngine } from '../../fakes/docker-engine.js';
import { REPO_ROOT, cleanEnv } from '../affected/fixtures.js';

const canMount = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs /mnt'], { encoding: 'utf8' }).status === 0;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-recover-ro-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const hash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** `convoy ARGS --data DATA` with DATA read-only in this process's own mount namespace only. */
function convoyReadOnly(args: string[]) {
  const quoted = [process.execPath, path.join(REPO_ROOT, 'bin', 'convoy.mjs'), ...args, '--data', dataDir].map((a) => `'${a}'`).join(' ');
  const script = `mount --bind '${dataDir}' '${dataDir}' && mount -o remount,ro,bind '${dataDir}' '${dataDir}' && exec ${quoted}`;
  return spawnSync('unshare', ['-m', 'sh', '-c', script], { cwd: REPO_ROOT, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }) });
}

describe.skipIf(!canMount)('convoy recover on a read-only store', () => {
  it.each([[['recover']], [['recover', '--json']], [['recover', 'rel-1', '--rollback']], [['recover', 'rel-1', '--resume', '--yes']]])('convoy %j is refused with STORE_UNWRITABLE and the store is left as it was', async (args) => {
    if (!fs.existsSync(path.join(dataDir, 'convoy.db'))) {
      // A release left running by a process that is gone: what recover would take on.
      const app = createApp({ dataDir, docker: new FakeDockerEngine() });
      app.store.createRun({ id: 'rel-1', kind: 'release', workspace: '/w', environment: 'local', base: null, head: null, status: 'running', owner: { pid: 999_999_9, startedAt: 'gone', host: os.hostname() } });
      await app.close();
    }
    const file = path.join(dataDir, 'convoy.db');
    const before = hash(file);
    const result = convoyReadOnly(args);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`cannot use ${dataDir} as its data directory \\(the file system is read-only, EROFS\\).*\\[STORE_UNWRITABLE\\]`));
    expect(result.stdout).toBe('');
    expect(hash(file)).toBe(before);
  });
});
