// The history is private: the data directory is 0700, convoy.db and its -wal/-shm files 0600, from the
// first byte; a directory or database left readable by others is tightened, with a note saying so.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { tempDir } from './helpers.js';

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe('private by default', () => {
  it('makes a new data directory 0700 and the database, -wal and -shm 0600', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const notes: string[] = [];
    const store = openStore(dataDir, { notice: (t) => notes.push(t) });
    store.createRun({ id: 'r1', kind: 'build', workspace: '/repo', base: null, head: null });
    try {
      expect(mode(dataDir)).toBe('700');
      for (const file of [store.file, `${store.file}-wal`, `${store.file}-shm`]) {
        expect(fs.existsSync(file), file).toBe(true);
        expect(mode(file), file).toBe('600');
      }
      expect(notes).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('tightens an existing open directory and database, and says so', () => {
    const dataDir = tempDir();
    openStore(dataDir).close();
    const file = path.join(dataDir, 'convoy.db');
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(file, 0o644);
    const notes: string[] = [];
    const store = openStore(dataDir, { notice: (t) => notes.push(t) });
    store.createRun({ id: 'r2', kind: 'build', workspace: '/repo', base: null, head: null });
    try {
      expect(mode(dataDir)).toBe('700');
      expect(mode(file)).toBe('600');
      expect(mode(`${file}-wal`)).toBe('600');
      expect(notes.join('')).toContain(`data directory ${dataDir} was readable by other users (mode 0755); tightened to 0700`);
      expect(notes.join('')).toContain(`history file ${file} was readable by other users (mode 0644); tightened to 0600`);
    } finally {
      store.close();
    }
  });
});
