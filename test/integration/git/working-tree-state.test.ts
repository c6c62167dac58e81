// workingTreeState on a real repository: what it reports, and that a background check never writes
// the index (a user's git command running at that moment would fail on index.lock).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uncommittedFiles, untrackedFiles, workingTreeChanges, workingTreeState } from '../../../electron/adapters/git/git.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-git-state-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
const indexDigest = () => createHash('sha256').update(fs.readFileSync(path.join(dir, '.git', 'index'))).digest('hex');

describe('workingTreeState', () => {
  it('reports HEAD and every changed, staged or untracked path', async () => {
    git('init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'a\n');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b\n');
    git('add', '-A');
    git('commit', '-qm', 'initial');
    const head = git('rev-parse', 'HEAD').trim();
    expect(await workingTreeState(dir)).toEqual({ head, dirty: [] });

    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'a2\n');
    fs.writeFileSync(path.join(dir, 'src', 'new.txt'), 'n\n');
    const state = await workingTreeState(dir);
    expect(state.head).toBe(head);
    expect([...state.dirty].sort()).toEqual(['src/a.txt', 'src/new.txt']);
    expect(await workingTreeState(path.join(dir, 'src'))).toEqual({ head, dirty: expect.arrayContaining(['a.txt', 'new.txt']) });
    git('checkout', '-q', '--', 'src/a.txt');
    fs.rmSync(path.join(dir, 'src', 'new.txt'));
  });

  it('with optionalLocks: false reads but never rewrites the index; the default refreshes it', async () => {
    // A tracked file whose stat changed but content did not: a locking status refreshes its index entry.
    const file = path.join(dir, 'b.txt');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    const before = indexDigest();
    const quiet = await workingTreeState(dir, { optionalLocks: false });
    expect(quiet.dirty).toEqual([]);
    expect(indexDigest()).toBe(before);
    await workingTreeState(dir);
    expect(indexDigest()).not.toBe(before);
  });

  it('workingTreeChanges lists exactly what uncommittedFiles and untrackedFiles list together, from the top and from a folder', async () => {
    fs.mkdirSync(path.join(dir, 'pkg', 'deep'), { recursive: true });
    for (const name of ['pkg/kept.txt', 'pkg/edited.txt', 'pkg/deleted.txt', 'pkg/staged-deleted.txt', 'pkg/staged.txt', 'top.txt']) fs.writeFileSync(path.join(dir, name), `${name}\n`);
    git('add', '-A');
    git('commit', '-qm', 'more files');
    fs.writeFileSync(path.join(dir, 'pkg', 'edited.txt'), 'changed\n');
    fs.rmSync(path.join(dir, 'pkg', 'deleted.txt'));
    git('rm', '-q', 'pkg/staged-deleted.txt');
    fs.writeFileSync(path.join(dir, 'pkg', 'staged.txt'), 'staged\n');
    git('add', 'pkg/staged.txt');
    fs.writeFileSync(path.join(dir, 'pkg', 'deep', 'untracked file.txt'), 'new\n');
    fs.writeFileSync(path.join(dir, 'top.txt'), 'changed at the top\n');
    fs.writeFileSync(path.join(dir, '.gitignore'), 'ignored.txt\n');
    fs.writeFileSync(path.join(dir, 'pkg', 'ignored.txt'), 'ignored\n');
    for (const cwd of [dir, path.join(dir, 'pkg')]) {
      const both = [...new Set([...(await uncommittedFiles(cwd)), ...(await untrackedFiles(cwd))])].sort();
      expect([...(await workingTreeChanges(cwd))].sort()).toEqual(both);
    }
    expect([...(await workingTreeChanges(path.join(dir, 'pkg')))].sort()).toEqual(['deep/untracked file.txt', 'deleted.txt', 'edited.txt', 'staged-deleted.txt', 'staged.txt']);
  });

  it('callers asking while a status runs share it; a caller after it ended gets a new one', async () => {
    const first = workingTreeState(dir);
    const second = workingTreeState(dir);
    expect(second).toBe(first);
    // Another folder or the lock-free mode is another status.
    expect(workingTreeState(dir, { optionalLocks: false })).not.toBe(first);
    const before = await first;
    fs.writeFileSync(path.join(dir, 'after.txt'), 'written after the first status ended\n');
    const later = await workingTreeState(dir);
    expect(before.dirty).not.toContain('after.txt');
    expect(later.dirty).toContain('after.txt');
  });
});
