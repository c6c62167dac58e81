// Package-based workspaces (no project.json) under pnpm and yarn: Convoy's affected set against the
// real `nx show projects --affected`, as affected-vs-nx.test.ts does for npm workspaces. The
// workspace globs come from pnpm-workspace.yaml (pnpm: the root package.json has no `workspaces`)
// or package.json `workspaces` (yarn); the lockfiles are hand-written in the formats pnpm 9
// (lockfileVersion '9.0'), yarn classic (v1) and yarn 4 (__metadata version 8) write. The
// `projectsAffectedByDependencyUpdates: auto` cases prove nx parsed each one: a lockfile nx cannot
// diff makes every project affected, and those cases expect only the users of the bumped packages.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BUMPED_EXTERNALS,
  type FileMap,
  type TestWorkspace,
  createWorkspace,
  names,
  project,
  removeWorkspaces,
} from './fixtures.js';
import { compare, expectDirect, expectVia, expectWorkspaceCause } from './assertions.js';
import {
  BERRY_PROJECTS,
  PN,
  PNPM_PROJECTS,
  TOOLS_CLI,
  YARN_PROJECTS,
  YB,
  YN,
  berryLock,
  berryTemplate,
  pnpmLock,
  pnpmNodeModules,
  pnpmTemplate,
  pnpmWorkspaceYaml,
  yarnLock,
  yarnTemplate,
} from './package-manager-workspaces.js';

const CASE_TIMEOUT = 60_000;

afterAll(() => removeWorkspaces());

describe('pnpm workspace (pnpm-workspace.yaml, workspace:* versions, pnpm-lock.yaml v9)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('pnpm', pnpmTemplate());
    pnpmNodeModules(ws.dir);
  });
  beforeEach(() => ws.reset());

  it('sees the projects and the workspace:* dependencies from pnpm-workspace.yaml', async () => {
    const graph = await ws.port.open(ws.dir, {});
    expect(graph.projects.map((p) => p.name).sort()).toEqual(PNPM_PROJECTS);
    const deps = Object.fromEntries(graph.projects.map((p) => [p.name, [...p.dependencies]]));
    expect(deps).toEqual({
      '@pn/admin': ['@pn/ui'],
      '@pn/core': ['@pn/util'],
      '@pn/ui': [],
      '@pn/util': [],
      '@pn/web': ['@pn/core', '@pn/ui'],
      '@pn/worker': [],
    });
  }, CASE_TIMEOUT);

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('util', { 'packages/util/index.js': "export const util = 'util v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/core`, `${PN}/util`, `${PN}/web`]);
    expectDirect(set, `${PN}/util`, ['packages/util/index.js']);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-lock.yaml change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'pnpm-lock.yaml': pnpmLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, PNPM_PROJECTS);
    for (const name of PNPM_PROJECTS) expectWorkspaceCause(set, name, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
  }, CASE_TIMEOUT);

  it('a pnpm-lock.yaml change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    // zod (used by util) and ms (used by admin only through debug) move; nx diffs the two lockfiles.
    ws.commit('bump zod and ms in the lockfile', { 'pnpm-lock.yaml': pnpmLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/admin`, `${PN}/core`, `${PN}/util`, `${PN}/web`]);
    expectWorkspaceCause(set, `${PN}/util`, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
    expectWorkspaceCause(set, `${PN}/admin`, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);
    expect(names(set)).not.toContain(`${PN}/ui`);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml glob added: the package it covers joins the graph and is affected through its dependency', async () => {
    // tools/cli (depending on util) is committed on main, outside the globs: not a project yet.
    ws.commit('tools/cli outside the workspace', TOOLS_CLI);
    ws.branch('feature');
    const change: FileMap = {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*', 'apps/*', 'tools/*']),
      'packages/util/index.js': "export const util = 'util v2';\n",
    };
    ws.commit('add tools/*; change util', change);

    const expected = [`${PN}/cli`, `${PN}/core`, `${PN}/util`, `${PN}/web`];
    const set = await compare(ws, { base: 'main', head: 'feature' }, expected);
    expectDirect(set, `${PN}/util`, ['packages/util/index.js']);
    // Not touched by the glob change itself (nx judges pnpm-workspace.yaml to touch nothing): a dependent of util.
    expectVia(set, `${PN}/cli`, [`${PN}/util`]);
    expect(project(set, `${PN}/cli`).root).toBe('tools/cli');
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);

    // The same change uncommitted, on main: the graph is read from the working tree.
    ws.checkout('main');
    ws.write(change);
    const uncommitted = await compare(ws, { uncommitted: true }, expected);
    expectVia(uncommitted, `${PN}/cli`, [`${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml glob removed: the packages it covered leave the graph', async () => {
    ws.branch('feature');
    ws.commit('drop apps/*; change util', {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*']),
      'packages/util/index.js': "export const util = 'util v2';\n",
    });

    // web depended on core, but apps/web is no longer a project.
    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/core`, `${PN}/util`]);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml change outside the globs (settings, catalog) touches no project', async () => {
    ws.branch('feature');
    ws.commit('pnpm settings; change worker', {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(
        ['packages/*', 'apps/*'],
        'catalog:\n  zod: ^3.24.0\nonlyBuiltDependencies:\n  - esbuild\n',
      ),
      'apps/worker/index.js': "export const worker = 'worker v2';\n",
    });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/worker`]);
    expect(project(set, `${PN}/worker`).reasons).toEqual([{ kind: 'files', files: ['apps/worker/index.js'], more: 0 }]);
  }, CASE_TIMEOUT);

  it('a new package together with its pnpm-workspace.yaml glob', async () => {
    ws.branch('feature');
    ws.commit('add tools/*', { 'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*', 'apps/*', 'tools/*']), ...TOOLS_CLI });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/cli`]);
    expectDirect(set, `${PN}/cli`, ['tools/cli/index.js', 'tools/cli/package.json']);
  }, CASE_TIMEOUT);

  it('pnpm.overrides in the root package.json affects the projects using the overridden package, through externals', async () => {
    ws.branch('feature');
    ws.editJson('package.json', (json) => {
      json.pnpm = { overrides: { ms: '2.1.3' } };
    });
    ws.commit('override ms');

    // ms is used by admin only through debug.
    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/admin`]);
    expectWorkspaceCause(set, `${PN}/admin`, 'root package.json changed', ['package.json']);
  }, CASE_TIMEOUT);
});

describe('yarn workspace (package.json workspaces, yarn.lock v1)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('yarn', yarnTemplate());
  });
  beforeEach(() => ws.reset());

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('ui', { 'packages/ui/index.js': "export const ui = 'ui v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`, `${YN}/ui`, `${YN}/web`]);
    expectDirect(set, `${YN}/ui`, ['packages/ui/index.js']);
    expectVia(set, `${YN}/admin`, [`${YN}/ui`]);
    expectVia(set, `${YN}/web`, [`${YN}/ui`]);
  }, CASE_TIMEOUT);

  it('a yarn.lock change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': yarnLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, YARN_PROJECTS);
    for (const name of YARN_PROJECTS) expectWorkspaceCause(set, name, 'lockfile yarn.lock changed', ['yarn.lock']);
  }, CASE_TIMEOUT);

  it('a yarn.lock change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': yarnLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`, `${YN}/core`, `${YN}/util`, `${YN}/web`]);
    expectWorkspaceCause(set, `${YN}/util`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectWorkspaceCause(set, `${YN}/admin`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectVia(set, `${YN}/web`, [`${YN}/core`, `${YN}/util`]);
    expect(names(set)).not.toContain(`${YN}/ui`);
  }, CASE_TIMEOUT);

  it('resolutions in the root package.json affects the projects using the resolved package, through externals', async () => {
    ws.branch('feature');
    ws.editJson('package.json', (json) => {
      json.resolutions = { ms: '2.1.3' };
    });
    ws.commit('resolve ms');

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`]);
    expectWorkspaceCause(set, `${YN}/admin`, 'root package.json changed', ['package.json']);
  }, CASE_TIMEOUT);
});

describe('yarn berry workspace (workspace:* versions, yarn.lock with __metadata)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('yarn-berry', berryTemplate());
  });
  beforeEach(() => ws.reset());

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('util', { 'packages/util/index.js': "export const util = 'util v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YB}/core`, `${YB}/util`, `${YB}/web`]);
    expectDirect(set, `${YB}/util`, ['packages/util/index.js']);
    expectVia(set, `${YB}/web`, [`${YB}/core`, `${YB}/util`]);
  }, CASE_TIMEOUT);

  it('a yarn.lock change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': berryLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, BERRY_PROJECTS);
    for (const name of BERRY_PROJECTS) expectWorkspaceCause(set, name, 'lockfile yarn.lock changed', ['yarn.lock']);
  }, CASE_TIMEOUT);

  it('a yarn.lock change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': berryLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YB}/admin`, `${YB}/core`, `${YB}/util`, `${YB}/web`]);
    expectWorkspaceCause(set, `${YB}/util`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectWorkspaceCause(set, `${YB}/admin`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expect(names(set)).not.toContain(`${YB}/ui`);
  }, CASE_TIMEOUT);
});
