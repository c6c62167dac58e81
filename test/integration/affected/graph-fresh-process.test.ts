// The persisted graph across processes (issue 15): after each trigger a FRESH `convoy affected`
// (bin/convoy.mjs) answers, and its set equals nx's own. A source edit updates the persisted graph
// (only that file's imports are read again), and so does a project's own project.json or package.json
// (only that project is read again; graph-fresh-project-config.test.ts has the cases); nx.json, the
// lockfile, the root tsconfig and projects added or removed rebuild it; an unchanged second process
// serves it as is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFresh, freshConvoy } from './fresh-process.js';
import {
  BUMPED_EXTERNALS,
  PACKAGES,
  type TestWorkspace,
  TS_PATHS,
  createWorkspace,
  packageJson,
  packageLock,
  packageTemplate,
  projectJson,
  projectJsonTemplate,
  removeWorkspaces,
  tempDir,
} from './fixtures.js';

const CASE_TIMEOUT = 300_000; // up to a dozen fresh processes and nx runs per case, on a loaded machine

afterAll(() => removeWorkspaces());

describe('persisted graph, fresh processes: project.json workspace', () => {
  let ws: TestWorkspace;
  let data: string;
  beforeAll(async () => {
    ws = createWorkspace('fresh-pj', projectJsonTemplate());
    data = tempDir('fresh-pj-data');
    expect((await freshConvoy(ws, data)).read).toBe('rebuilt'); // cold: nothing persisted yet
  }, CASE_TIMEOUT);

  it('an import added in a source file updates the graph (uncommitted, then committed), and the new edge counts', async () => {
    ws.write({ 'tools/scripts/src/release.ts': "import { button } from '@b/ui';\n\nexport const release = button;\n" });
    expect(await expectFresh(ws, data, 'updated')).toEqual(['scripts']);
    // The new edge scripts → ui: a change to ui now reaches scripts, as nx says.
    ws.write({ 'libs/ui/src/index.ts': "export const button = '<button type=button>';\n" });
    expect(await expectFresh(ws, data, 'updated')).toContain('scripts');
    ws.commit('scripts uses ui');
    await expectFresh(ws, data, 'updated');
    // The import removed again and committed: the edge goes with it.
    ws.commit('scripts alone again', { 'tools/scripts/src/release.ts': "export const release = 'release';\n" });
    await expectFresh(ws, data, 'updated');
    ws.write({ 'libs/ui/src/index.ts': "export const button = '<b>';\n" });
    expect(await expectFresh(ws, data, 'updated')).not.toContain('scripts');
    ws.commit('ui again');
  }, CASE_TIMEOUT);

  it('a project.json edit re-reads that project only (graph updated)', async () => {
    ws.write({ 'tools/scripts/project.json': projectJson('scripts', 'tools/scripts', { implicitDependencies: ['shared'] }) });
    await expectFresh(ws, data, 'updated');
    ws.write({ 'libs/shared/src/index.ts': "export const shared = 'shared v2';\n" });
    expect(await expectFresh(ws, data, 'updated')).toContain('scripts');
    ws.commit('scripts depends on shared');
  }, CASE_TIMEOUT);

  it('nx.json and the root tsconfig (paths) rebuild the graph', async () => {
    ws.editJson<{ targetDefaults?: unknown }>('nx.json', (json) => {
      json.targetDefaults = { test: { cache: true } };
    });
    await expectFresh(ws, data, 'rebuilt');
    ws.commit('nx.json');
    ws.write({ 'tsconfig.base.json': { compilerOptions: { baseUrl: '.', paths: { ...TS_PATHS, '@b/ui': ['libs/shared/src/index.ts'] } } } });
    await expectFresh(ws, data, 'rebuilt');
    ws.commit('tsconfig paths');
  }, CASE_TIMEOUT);

  it('a project added, then removed, rebuilds the graph', async () => {
    ws.write({
      'libs/extra/project.json': projectJson('extra', 'libs/extra'),
      'libs/extra/src/index.ts': "import { data } from '@b/data';\n\nexport const extra = data;\n",
    });
    expect(await expectFresh(ws, data, 'rebuilt')).toContain('extra');
    ws.commit('add extra');
    ws.write({ 'libs/extra': null });
    expect(await expectFresh(ws, data, 'rebuilt')).not.toContain('extra');
    ws.commit('remove extra');
  }, CASE_TIMEOUT);
});

describe('persisted graph, fresh processes: package-based workspace', () => {
  let ws: TestWorkspace;
  let data: string;
  beforeAll(async () => {
    ws = createWorkspace('fresh-pkg', packageTemplate());
    data = tempDir('fresh-pkg-data');
    await freshConvoy(ws, data);
  }, CASE_TIMEOUT);

  it('a dependency changed in a package.json re-reads that project only (graph updated)', async () => {
    ws.write({ 'apps/worker/package.json': packageJson({ dir: 'apps/worker', name: '@acme/worker', deps: { '@acme/util': '*' } }) });
    await expectFresh(ws, data, 'updated');
    ws.commit('worker uses util');
    ws.write({ 'libs/util/index.js': "export const util = 'util v2';\n" });
    expect(await expectFresh(ws, data, 'updated')).toContain('@acme/worker');
  }, CASE_TIMEOUT);

  it('the lockfile rebuilds the graph', async () => {
    ws.write({ 'package-lock.json': packageLock(PACKAGES, BUMPED_EXTERNALS) });
    await expectFresh(ws, data, 'rebuilt');
  }, CASE_TIMEOUT);

  it('a source file outside the JS analysis (README) and a committed edit keep the graph current', async () => {
    ws.commit('lockfile and util');
    ws.write({ 'apps/admin/README.md': '# admin\n' });
    await expectFresh(ws, data, 'updated');
  }, CASE_TIMEOUT);
});
