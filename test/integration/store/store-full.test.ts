// A full disk under the store, made real with SQLite's own size cap (PRAGMA max_page_count through
// openStore's maxPageCount): the write that needs a page more fails with STORE_FULL naming the file,
// and what was written before it is still there, intact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('store on a full disk', () => {
  it('refuses the write that needs more room with STORE_FULL, keeping every earlier row', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'convoy-store-full-'));
    dirs.push(dir);
    // capped at the size the schema already takes: only what fits in the pages there is can be written
    const store = openStore(dir, { maxPageCount: 1 });
    const run = (id: string, summary: string) => store.createRun({ id, kind: 'release', workspace: '/ws', environment: 'local', base: null, head: null, summary, status: 'running' });
    run('small', 'fits');
    let error: unknown = null;
    for (let i = 0; i < 50 && error === null; i++) {
      try {
        run(`big-${i}`, 'x'.repeat(20_000));
      } catch (err) {
        error = err;
      }
    }
    expect(error).toMatchObject({ code: 'STORE_FULL', message: expect.stringContaining(`Convoy could not write its database at ${path.join(dir, 'convoy.db')}: the disk is full`) });
    expect((error as Error).message).toContain('Free some space and try again');
    expect(store.getRun('small')).toMatchObject({ id: 'small', summary: 'fits', status: 'running' });
    store.close();
    // Reopened without the cap, the file is sound and takes writes again.
    const again = openStore(dir);
    expect(again.getRun('small')?.summary).toBe('fits');
    again.createRun({ id: 'after', kind: 'release', workspace: '/ws', environment: 'local', base: null, head: null, summary: 'x'.repeat(20_000), status: 'running' });
    expect(again.getRun('after')).not.toBeNull();
    again.close();
  });
});
