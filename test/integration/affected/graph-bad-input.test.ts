// A persisted graph that is cut short, corrupt, from another Convoy version or for another workspace:
// a fresh `convoy affected` ignores it with a note on stderr, rebuilds it, answers as nx does, and the
// next process serves the rewritten file. A read-only data directory: the answer is still nx's, each
// process rebuilds, and stderr warns; one that cannot be written at all (not even its store): affected
// still answers, with a warning, and changes nothing there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFile } from '../../../electron/adapters/nx/graph-cache.js';
import { convoy } from './cli-run.js';
import { type TestWorkspace, createWorkspace, nxAffected, projectJsonTemplate, removeWorkspaces, tempDir } from './fixtures.js';

const CASE_TIMEOUT = 300_000; // up to a dozen fresh processes and nx runs per case, on a loaded machine

afterAll(() => removeWorkspaces());

async function run(ws: TestWorkspace, data: string) {
  const result = await convoy(['affected', '--workspace', ws.dir, '--data', data]);
  expect(result.code, result.stderr).toBe(0);
  const [header = '', , , ...rows] = result.stdout.trimEnd().split('\n');
  const names = header.startsWith('0 affected') ? [] : rows.map((row) => row.split(/\s+/)[0] as string).sort();
  return { names, cached: header.endsWith(', cached graph'), stderr: result.stderr };
}

describe('persisted graph: bad input', () => {
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let data: string;
  let file: string;
  let nx: string[];
  beforeAll(async () => {
    ws = createWorkspace('bad-graph', projectJsonTemplate());
    other = createWorkspace('bad-graph-other', projectJsonTemplate());
    ws.write({ 'libs/data/src/index.ts': "export const data = 'no shared';\n" });
    data = tempDir('bad-graph-data');
    file = cacheFile(path.join(data, 'cache', 'graphs'), ws.dir);
    nx = nxAffected(ws.dir, ['--base=main']);
    await run(ws, data);
    expect(fs.existsSync(file)).toBe(true);
  }, CASE_TIMEOUT);

  const valid = () => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

  const cases: Array<[string, () => string, RegExp]> = [
    ['cut short', () => fs.readFileSync(file, 'utf8').slice(0, 200), /cut short or corrupt/],
    ['corrupt bytes', () => '\u0000\u0007garbage{', /cut short or corrupt/],
    [
      'damaged inside (a project without a name, the checksum of the original)',
      () => JSON.stringify({ ...valid(), body: JSON.stringify({ graph: { nxVersion: '24', projects: [{ root: 'x' }] }, fileMap: {} }) }),
      /corrupt \(its checksum does not match\)/,
    ],
    ['malformed (right format, a field missing)', () => JSON.stringify({ ...valid(), sha256: undefined }), /malformed/],
    ['from another Convoy version', () => JSON.stringify({ ...valid(), convoy: '0.0.1-elsewhere' }), /written by Convoy 0\.0\.1-elsewhere/],
    ['from an older format', () => JSON.stringify({ key: valid().key, root: ws.dir, graph: { nxVersion: '24', projects: [] } }), /another Convoy version/],
    ['for another workspace', () => JSON.stringify({ ...valid(), root: other.dir }), /belongs to another workspace/],
  ];

  for (const [name, content, note] of cases) {
    it(`${name}: ignored with a note, rebuilt, never trusted`, async () => {
      await run(ws, data); // whatever the previous case left, the file is valid again
      fs.writeFileSync(file, content());
      const first = await run(ws, data);
      expect(first.stderr).toMatch(note);
      expect(first.cached).toBe(false);
      expect(first.names).toEqual(nx);
      const second = await run(ws, data);
      expect(second.stderr).toBe('');
      expect(second.cached).toBe(true);
      expect(second.names).toEqual(nx);
    }, CASE_TIMEOUT);
  }

  it("another workspace's valid graph copied over this one's is not served", async () => {
    const otherData = tempDir('bad-graph-other-data');
    await run(other, otherData);
    // The other workspace's state key differs, so its graph must be rebuilt for this one, never read.
    fs.copyFileSync(cacheFile(path.join(otherData, 'cache', 'graphs'), other.dir), file);
    const result = await run(ws, data);
    expect(result.stderr).toMatch(/belongs to another workspace/);
    expect(result.names).toEqual(nx);
  }, CASE_TIMEOUT);

  it('a read-only data directory: the answer is right, every process rebuilds, stderr warns', async () => {
    const readOnly = tempDir('bad-graph-ro');
    await run(ws, readOnly); // the store and the cache folder exist, as in a real data directory
    fs.rmSync(path.join(readOnly, 'cache', 'graphs'), { recursive: true, force: true });
    const undo = makeReadOnly(readOnly);
    try {
      for (let i = 0; i < 2; i++) {
        const result = await run(ws, readOnly);
        expect(result.names).toEqual(nx);
        expect(result.cached).toBe(false);
        expect(result.stderr).toMatch(/could not save the project graph in .*: the answer is right, but every call rebuilds the graph/);
      }
    } finally {
      undo();
    }
  }, CASE_TIMEOUT);

  it('a data directory that cannot be written at all (not even the store): the answer is right, stderr warns, nothing is written', async () => {
    const readOnly = tempDir('bad-graph-ro-whole');
    await run(ws, readOnly); // a real data directory: store, cache folder and persisted graph
    const before = listing(readOnly);
    const undo = makeWholeReadOnly(readOnly);
    try {
      for (let i = 0; i < 2; i++) {
        const result = await run(ws, readOnly);
        expect(result.names).toEqual(nx);
        expect(result.stderr).toMatch(/cannot use .* as its data directory .*This command only reads, so it goes on without the data directory: the answer is right/s);
      }
    } finally {
      undo();
    }
    expect(listing(readOnly)).toEqual(before);
    // Commands that record something still refuse the same directory.
    const undoAgain = makeWholeReadOnly(readOnly);
    try {
      const build = await convoy(['build', '--workspace', ws.dir, '--data', readOnly]);
      expect(build.code).not.toBe(0);
      expect(build.stderr).toMatch(/STORE_UNWRITABLE/);
    } finally {
      undoAgain();
    }
  }, CASE_TIMEOUT);
});

/** Every file under dir with its size and mtime: what a read-only run must leave as it was. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((name) => {
    const stat = fs.statSync(path.join(dir, name));
    return `${name} ${stat.isDirectory() ? 'dir' : `${stat.size} ${stat.mtimeMs}`}`;
  });
}

/**
 * Makes the whole data directory unwritable for this process: mode 0500 on it and its store, and for
 * root a read-only bind mount over it, or where mounts are not allowed, the store's folder replaced by
 * a file for the duration (a data directory that is a file cannot be opened either). Answers the undo.
 */
function makeWholeReadOnly(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o500);
    return () => fs.chmodSync(dir, 0o700);
  }
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
  } catch {
    const aside = `${dir}.aside`;
    fs.renameSync(dir, aside);
    fs.writeFileSync(dir, 'not a folder');
    return () => {
      fs.rmSync(dir, { force: true });
      fs.renameSync(aside, dir);
    };
  }
  execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
  return () => execFileSync('umount', [dir]);
}

/**
 * Makes dir read-only for this process: mode 0500, and for root (whom modes do not stop) a read-only
 * bind mount over it, or where mounts are not allowed, a file in the graphs folder's place. Answers the undo.
 */
function makeReadOnly(dir: string): () => void {
  const cache = path.join(dir, 'cache');
  if (process.getuid?.() !== 0) {
    fs.chmodSync(cache, 0o500);
    return () => fs.chmodSync(cache, 0o700);
  }
  try {
    execFileSync('mount', ['--bind', cache, cache], { stdio: 'ignore' });
  } catch {
    // A machine (or container) that allows no mounts: a plain file where the graphs folder would go
    // refuses every write for root too, which is what this case needs.
    const graphs = path.join(cache, 'graphs');
    fs.writeFileSync(graphs, 'not a folder');
    return () => fs.rmSync(graphs, { force: true });
  }
  execFileSync('mount', ['-o', 'remount,ro,bind', cache]);
  return () => execFileSync('umount', [cache]);
}
