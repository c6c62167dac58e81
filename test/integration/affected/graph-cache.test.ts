// The project graph cache on real workspaces: every change that reshapes the graph (a project added or
// removed, dependencies changed, nx.json or a project.json edited) rebuilds it, an unchanged second
// call hits it, the answer stays equal to nx's, and a corrupt cache file is ignored.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AffectedSet } from '../../../shared/domain.js';
import type { AffectedQuery } from '../../../electron/core/ports/workspace.js';
import { cacheFile, graphKey } from '../../../electron/adapters/nx/graph-cache.js';
import { resolveNx } from '../../../electron/adapters/nx/nx-host-client.js';
import {
  PACKAGE_PROJECTS,
  type TestWorkspace,
  convoyAffectedSet,
  createWorkspace,
  names,
  nxAffected,
  nxArgs,
  packageJson,
  packageTemplate,
  projectJson,
  projectJsonTemplate,
  removeWorkspaces,
} from './fixtures.js';

const CASE_TIMEOUT = 60_000;
const DEFAULT_MODE = { base: 'main' };

afterAll(() => removeWorkspaces());

/** Right after a change: rebuilt and equal to nx; then, unchanged: cached and the same answer. */
async function expectRebuiltThenCached(ws: TestWorkspace, query: Omit<AffectedQuery, 'dir'> = DEFAULT_MODE): Promise<AffectedSet> {
  const first = await convoyAffectedSet(ws, query);
  expect(first.graphCached, 'rebuilt right after the change').toBe(false);
  expect(names(first), 'equal to nx').toEqual(nxAffected(ws.dir, nxArgs(query)));
  const second = await convoyAffectedSet(ws, query);
  expect(second.graphCached, 'cached on the unchanged second call').toBe(true);
  expect(names(second)).toEqual(names(first));
  return first;
}

async function dependenciesOf(ws: TestWorkspace, name: string): Promise<readonly string[] | undefined> {
  const graph = await ws.port.open(ws.dir, {});
  return graph.projects.find((p) => p.name === name)?.dependencies;
}

async function projectNames(ws: TestWorkspace): Promise<string[]> {
  const graph = await ws.port.open(ws.dir, {});
  return graph.projects.map((p) => p.name).sort();
}

describe('graph cache: package-based workspace', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('cache-pkg', packageTemplate());
  });
  beforeEach(async () => {
    ws.reset();
    await convoyAffectedSet(ws, DEFAULT_MODE); // warm: whatever the state before, the graph is current now
  });

  it('an unchanged workspace hits the cache, in memory and on disk (a fresh port)', async () => {
    const warm = await convoyAffectedSet(ws, DEFAULT_MODE);
    expect(warm.graphCached).toBe(true);
    expect(fs.existsSync(cacheFile(ws.cacheDir, ws.dir))).toBe(true);

    ws.freshPort();
    const fromDisk = await ws.port.open(ws.dir, {});
    expect(fromDisk.cached).toBe(true);
    expect(fromDisk.projects.map((p) => p.name).sort()).toEqual(PACKAGE_PROJECTS);

    // A plain source change: the graph's shape is not at stake, but the state moved, so it is rebuilt once.
    ws.write({ 'libs/util/index.js': "export const util = 'util v2';\n" });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).toEqual(['@acme/core', '@acme/util', '@acme/web']);
  }, CASE_TIMEOUT);

  it('adding a project rebuilds the graph (uncommitted, then committed)', async () => {
    ws.write({
      'libs/extra/package.json': packageJson({ dir: 'libs/extra', name: '@acme/extra', deps: { '@acme/util': '*' } }),
      'libs/extra/index.js': "export const extra = 'extra';\n",
    });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).toEqual(['@acme/extra']);
    expect(await projectNames(ws)).toContain('@acme/extra');

    ws.commit('add @acme/extra');
    await expectRebuiltThenCached(ws);
    expect(await dependenciesOf(ws, '@acme/extra')).toEqual(['@acme/util']);
  }, CASE_TIMEOUT);

  it('removing a project rebuilds the graph', async () => {
    ws.write({ 'apps/worker': null });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).toEqual(PACKAGE_PROJECTS.filter((n) => n !== '@acme/worker'));
    expect(await projectNames(ws)).not.toContain('@acme/worker');
  }, CASE_TIMEOUT);

  it('changing dependencies rebuilds the graph, even when the edit keeps the file size', async () => {
    const worker = (dep: string) => packageJson({ dir: 'apps/worker', name: '@acme/worker', deps: { [dep]: '*' } });
    ws.write({ 'apps/worker/package.json': worker('@acme/util') });
    await expectRebuiltThenCached(ws);
    expect(await dependenciesOf(ws, '@acme/worker')).toEqual(['@acme/util']);

    // '@acme/util' → '@acme/core': same length, so only the modification time tells them apart.
    const before = fs.statSync(`${ws.dir}/apps/worker/package.json`).size;
    ws.write({ 'apps/worker/package.json': worker('@acme/core') });
    expect(fs.statSync(`${ws.dir}/apps/worker/package.json`).size).toBe(before);
    await expectRebuiltThenCached(ws);
    expect(await dependenciesOf(ws, '@acme/worker')).toEqual(['@acme/core']);

    // Committed on a branch, and compared by refs: a change to util now reaches worker through core.
    ws.branch('feature');
    ws.commit('worker uses core; util changes', { 'libs/util/index.js': "export const util = 'util v3';\n" });
    const set = await expectRebuiltThenCached(ws, { base: 'main', head: 'feature' });
    expect(names(set)).toEqual(['@acme/core', '@acme/util', '@acme/web', '@acme/worker']);
  }, CASE_TIMEOUT);

  it('editing nx.json rebuilds the graph', async () => {
    ws.editJson('nx.json', (json) => {
      json.targetDefaults = { test: { cache: true } };
    });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).toEqual(PACKAGE_PROJECTS);
  }, CASE_TIMEOUT);

  it("nx's own data (.nx/workspace-data), untracked and not ignored, does not defeat the cache", async () => {
    const exclude = path.join(ws.dir, '.git', 'info', 'exclude');
    const saved = fs.readFileSync(exclude, 'utf8');
    fs.writeFileSync(exclude, 'node_modules\n');
    try {
      expect(ws.git('status', '--porcelain', '--untracked-files=all')).toContain('.nx/workspace-data/');
      ws.write({ 'libs/ui/index.js': "export const ui = 'ui v2';\n" });
      // Convoy's Nx host and the nx CLI both rewrite .nx/workspace-data between the two calls.
      const set = await expectRebuiltThenCached(ws);
      expect(names(set)).toEqual(['@acme/admin', '@acme/ui', '@acme/web']);
    } finally {
      fs.writeFileSync(exclude, saved);
    }
  }, CASE_TIMEOUT);

  it('a corrupt cache file is ignored: the graph is rebuilt, nothing crashes, and the file is rewritten', async () => {
    const file = cacheFile(ws.cacheDir, ws.dir);
    expect(fs.existsSync(file)).toBe(true);
    const { nxDir } = resolveNx(ws.dir);
    const nxVersion = (JSON.parse(fs.readFileSync(path.join(nxDir, 'package.json'), 'utf8')) as { version: string }).version;
    const { key } = await graphKey(ws.dir, nxDir, nxVersion);
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string }).key).toBe(key);
    const garbage = [
      '{"key": "' + key + '", "root": "tru', // cut short mid-write
      '',
      '\u0000\u0000\u0000',
      '[1,2,3]',
      // The right key, the wrong shape.
      JSON.stringify({ key, root: ws.dir, graph: { nxVersion, projects: 'not a list' } }),
      JSON.stringify({ key, root: ws.dir, graph: { nxVersion, projects: [null] } }),
      JSON.stringify({ key, root: ws.dir, graph: { nxVersion, projects: [{ name: 'half a project' }] } }),
    ];
    const nx = nxAffected(ws.dir, nxArgs(DEFAULT_MODE)); // the workspace does not change in this test
    for (const content of garbage) {
      fs.writeFileSync(file, content);
      ws.freshPort();
      const set = await convoyAffectedSet(ws, DEFAULT_MODE);
      expect(set.graphCached, `cache file ${JSON.stringify(content)}`).toBe(false);
      expect(names(set)).toEqual(nx);
      expect(() => JSON.parse(fs.readFileSync(file, 'utf8'))).not.toThrow();
    }
    ws.freshPort();
    expect((await convoyAffectedSet(ws, DEFAULT_MODE)).graphCached).toBe(true);
  }, CASE_TIMEOUT * 2);
});

describe('graph cache: project.json workspace', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('cache-pj', projectJsonTemplate());
  });
  beforeEach(async () => {
    ws.reset();
    await convoyAffectedSet(ws, DEFAULT_MODE);
  });

  it('editing a project.json (implicitDependencies) rebuilds the graph and the new edge counts', async () => {
    ws.write({ 'tools/scripts/project.json': projectJson('scripts', 'tools/scripts', { implicitDependencies: ['shared'] }) });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).toEqual(['scripts']);
    expect(await dependenciesOf(ws, 'scripts')).toEqual(['shared']);

    ws.write({ 'libs/shared/src/index.ts': "export const shared = 'shared v2';\n" });
    const after = await expectRebuiltThenCached(ws);
    expect(names(after)).toEqual(['data', 'portal', 'portal-e2e', 'scripts', 'shared']);
  }, CASE_TIMEOUT);

  it('a new static import (a source change that adds a dependency) rebuilds the graph', async () => {
    ws.write({ 'tools/scripts/src/release.ts': "import { button } from '@b/ui';\n\nexport const release = button;\n" });
    await expectRebuiltThenCached(ws);
    expect(await dependenciesOf(ws, 'scripts')).toEqual(['ui']);
  }, CASE_TIMEOUT);

  it('removing a project.json project rebuilds the graph', async () => {
    ws.write({ 'apps/docs': null });
    const set = await expectRebuiltThenCached(ws);
    expect(names(set)).not.toContain('docs');
    expect(await projectNames(ws)).not.toContain('docs');
  }, CASE_TIMEOUT);
});
