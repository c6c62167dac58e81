// A project's own project.json or package.json changed (issue 15): a FRESH `convoy affected` reads
// only that project again (graph updated) and its set equals nx's own, under Nx 24 and the oldest
// supported major (20, whose internals the host reaches by another adapter), including what Convoy
// itself reads there (a package.json's convoy.test capability). What the one-project read
// cannot be sure of rebuilds the graph in full: a renamed project; a project.json Nx cannot parse fails
// both tools alike and is never answered from the old graph.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convoy } from './cli-run.js';
import { expectFresh, freshConvoy } from './fresh-process.js';
import { NODE_MODULES, type TestWorkspace, createWorkspace, nxAffected, packageJson, removeWorkspaces, tempDir } from './fixtures.js';
import { compatTemplate } from '../nx-compat/compat-cases.js';
import { COMPAT_VERSIONS, installNx } from '../nx-compat/nx-install.js';

const INSTALL_TIMEOUT = 300_000;
const CASE_TIMEOUT = 300_000; // up to a dozen fresh processes and nx runs per case, on a loaded machine

afterAll(() => removeWorkspaces());

type ImplicitJson = { implicitDependencies?: string[] };

/**
 * The graph through a fresh port (nothing in memory, the persisted graph on disk), closed before the
 * test goes on: close() waits for the check that drops a graph whose state moved while it was read,
 * which a later edit would otherwise race.
 */
async function openFresh(ws: TestWorkspace, refresh = false) {
  const port = ws.freshPort();
  try {
    return await port.open(ws.dir, { refresh });
  } finally {
    await port.close();
  }
}

const majors: Array<[string, () => Promise<string>]> = [
  ['nx 24 (this checkout)', async () => NODE_MODULES],
  [`nx ${COMPAT_VERSIONS[20]}`, () => installNx(COMPAT_VERSIONS[20])],
];

describe.each(majors)('persisted graph, a project config changed: %s', (label, nodeModules) => {
  let ws: TestWorkspace | null = null;
  let data: string;
  let installError: Error | null = null;
  beforeAll(async () => {
    try {
      ws = createWorkspace(`fresh-config-${label.split(' ')[1]}`, compatTemplate(), await nodeModules());
    } catch (err) {
      installError = err as Error;
      if (process.env.CI === 'true') throw err;
      return;
    }
    data = tempDir('fresh-config-data');
    expect((await freshConvoy(ws, data)).read).toBe('rebuilt'); // cold: nothing persisted yet
  }, INSTALL_TIMEOUT);

  /** The workspace, or the test skipped with the reason (an nx that could not be installed offline). */
  function workspace(ctx: { skip(note: string): void }): TestWorkspace {
    if (!ws) ctx.skip(`${label} could not be installed: ${installError?.message}`);
    return ws as TestWorkspace;
  }

  it('project.json implicitDependencies added, then removed: graph updated, the edge comes and goes', async (ctx) => {
    const w = workspace(ctx);
    w.editJson<ImplicitJson>('tools/scripts/project.json', (json) => void (json.implicitDependencies = ['@acme/ui']));
    expect(await expectFresh(w, data, 'updated')).toContain('scripts');
    w.write({ 'libs/ui/index.js': "export const ui = 'ui v2';\n" });
    expect(await expectFresh(w, data, 'updated')).toContain('scripts');
    w.commit('scripts depends on ui');
    w.editJson<ImplicitJson>('tools/scripts/project.json', (json) => void delete json.implicitDependencies);
    await expectFresh(w, data, 'updated');
    w.commit('scripts alone again');
    w.write({ 'libs/ui/index.js': "export const ui = 'ui v3';\n" });
    expect(await expectFresh(w, data, 'updated')).not.toContain('scripts');
    w.commit('ui v3');
  }, CASE_TIMEOUT);

  it("a '!' implicitDependency takes away an import's edge, and keeps it away after that source file is read again", async (ctx) => {
    const w = workspace(ctx);
    w.editJson<ImplicitJson>('tools/scripts/project.json', (json) => void (json.implicitDependencies = ['!config']));
    await expectFresh(w, data, 'updated');
    w.commit('scripts does not depend on config');
    w.write({ 'tools/scripts/src/release.ts': "import { config } from '@acme/config';\n\nconsole.log('release', config);\n" });
    await expectFresh(w, data, 'updated');
    w.commit('release edited');
    w.write({ 'libs/config/src/index.ts': "export const config = { region: 'us' };\n" });
    expect(await expectFresh(w, data, 'updated')).not.toContain('scripts');
    w.commit('config us');
    w.editJson<ImplicitJson>('tools/scripts/project.json', (json) => void delete json.implicitDependencies);
    await expectFresh(w, data, 'updated');
    w.commit('scripts depends on config again');
  }, CASE_TIMEOUT);

  it('project.json tags changed: graph updated', async (ctx) => {
    const w = workspace(ctx);
    w.editJson<{ tags?: string[] }>('libs/config/project.json', (json) => void (json.tags = ['scope:shared']));
    expect(await expectFresh(w, data, 'updated')).toContain('config');
    w.commit('config tagged');
  }, CASE_TIMEOUT);

  it('a package.json dependency on another workspace package added, then removed: graph updated, the edge comes and goes', async (ctx) => {
    const w = workspace(ctx);
    const worker = (deps?: Record<string, string>) => ({ 'apps/worker/package.json': packageJson({ dir: 'apps/worker', name: '@acme/worker', ...(deps ? { deps } : {}) }) });
    w.write(worker({ '@acme/util': '*' }));
    expect(await expectFresh(w, data, 'updated')).toEqual(['@acme/worker']);
    w.commit('worker uses util');
    w.write({ 'libs/util/index.js': "export const util = 'util v2';\n" });
    expect(await expectFresh(w, data, 'updated')).toContain('@acme/worker');
    w.commit('util v2');
    w.write(worker());
    await expectFresh(w, data, 'updated');
    w.commit('worker alone again');
    w.write({ 'libs/util/index.js': "export const util = 'util v3';\n" });
    expect(await expectFresh(w, data, 'updated')).not.toContain('@acme/worker');
    w.commit('util v3');
  }, CASE_TIMEOUT);

  it("a package.json's convoy.test added: graph updated with the project's new capabilities (a fresh port, the persisted graph only)", async (ctx) => {
    const w = workspace(ctx);
    const testOf = async () => {
      const graph = await openFresh(w);
      return { read: graph.read, test: graph.projects.find((p) => p.name === '@acme/worker')?.capabilities.test };
    };
    expect((await testOf()).test).toBeNull();
    w.write({ 'apps/worker/package.json': { ...packageJson({ dir: 'apps/worker', name: '@acme/worker' }), convoy: { test: ['node', '--test'] } } });
    expect(await testOf()).toEqual({ read: 'updated', test: ['node', '--test'] });
    w.commit('worker has tests');
  }, CASE_TIMEOUT);

  it("a tsconfig.app.json at a project's root (Nx's type hint): graph updated, the same type as Nx's full read", async (ctx) => {
    const w = workspace(ctx);
    w.write({ 'apps/worker/tsconfig.app.json': { extends: '../../tsconfig.base.json' } });
    const updated = await openFresh(w);
    expect(updated.read).toBe('updated');
    const full = await openFresh(w, true);
    const typeOf = (graph: typeof full) => graph.projects.find((p) => p.name === '@acme/worker')?.type;
    expect(typeOf(updated)).toBe(typeOf(full));
    w.commit('worker tsconfig.app.json');
  }, CASE_TIMEOUT);

  it('a project renamed in its project.json: a full rebuild, and right', async (ctx) => {
    const w = workspace(ctx);
    w.editJson<{ name: string }>('libs/config/project.json', (json) => void (json.name = 'settings'));
    expect(await expectFresh(w, data, 'rebuilt')).toContain('settings');
    w.commit('config is settings now');
    w.write({ 'libs/config/src/index.ts': "export const config = { region: 'ap' };\n" });
    expect(await expectFresh(w, data, 'updated')).toContain('settings');
    w.commit('settings ap');
  }, CASE_TIMEOUT);

  it('a project.json made invalid: convoy fails as nx does (never the old graph); fixed again, right', async (ctx) => {
    const w = workspace(ctx);
    const valid = w.read('tools/scripts/project.json');
    w.write({ 'tools/scripts/project.json': '{ "name": "scripts", "tags": [' });
    const result = await convoy(['affected', '--workspace', w.dir, '--data', data]);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain('[WORKSPACE_ERROR]');
    expect(() => nxAffected(w.dir, ['--base=main'])).toThrow();
    w.write({ 'tools/scripts/project.json': valid });
    const fixed = await freshConvoy(w, data);
    expect(fixed.names).toEqual(nxAffected(w.dir, ['--base=main']));
  }, CASE_TIMEOUT);
});
