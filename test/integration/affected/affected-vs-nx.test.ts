// Convoy's affected set against the real `nx show projects --affected` (the requirement: they are
// equal), for every kind of change Nx judges, in a package-based and a project.json workspace.
// Each case also pins the expected set and checks the reasons Convoy gives.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PACKAGE_PROJECTS,
  PACKAGES,
  PROJECT_JSON_PROJECTS,
  TS_PATHS,
  type TestWorkspace,
  BUMPED_EXTERNALS,
  createWorkspace,
  names,
  packageJson,
  packageLock,
  packageTemplate,
  project,
  projectJsonTemplate,
  removeWorkspaces,
} from './fixtures.js';
import { compare, expectDirect, expectVia, expectWorkspaceCause } from './assertions.js';

const CASE_TIMEOUT = 60_000;

afterAll(() => removeWorkspaces());

describe('package-based workspace (npm workspaces, no project.json)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('pkg', packageTemplate());
  });
  beforeEach(() => ws.reset());

  it('compares against the merge-base: main moving on after the branch point is not the feature', async () => {
    ws.branch('feature');
    ws.commit('feature: core', { 'libs/core/index.js': "export const core = 'core v2';\n" });
    const featureHead = ws.head();
    ws.checkout('main');
    ws.commit('main: worker', { 'apps/worker/index.js': "export const worker = 'worker v2';\n" });
    ws.checkout('feature');

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['@acme/core', '@acme/web']);
    expect(names(set)).not.toContain('@acme/worker');
    expect(set.base).toBe(ws.initial); // the merge-base, not main's tip
    expect(set.head).toBe(featureHead);
    expect(set.touchedFiles).toBe(1);
    expectDirect(set, '@acme/core', ['libs/core/index.js']);
    expectVia(set, '@acme/web', ['@acme/core']);
  }, CASE_TIMEOUT);

  it('files in several projects in one commit (an edit, a deletion and an addition)', async () => {
    ws.branch('feature');
    ws.commit('two projects', {
      'libs/util/index.js': "export const util = 'util v2';\n",
      'libs/ui/index.js': null,
      'libs/ui/button.js': "export const button = '<button>';\n",
    });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [
      '@acme/admin',
      '@acme/core',
      '@acme/ui',
      '@acme/util',
      '@acme/web',
    ]);
    expectDirect(set, '@acme/util', ['libs/util/index.js']);
    expectDirect(set, '@acme/ui', ['libs/ui/button.js', 'libs/ui/index.js']);
    expectVia(set, '@acme/core', ['@acme/util']);
    expectVia(set, '@acme/admin', ['@acme/ui']);
    // web depends on both; the shortest chain wins.
    expectVia(set, '@acme/web', ['@acme/ui']);
  }, CASE_TIMEOUT);

  it('an nx.json change affects every project', async () => {
    ws.branch('feature');
    ws.editJson('nx.json', (json) => {
      json.targetDefaults = { build: { cache: true, dependsOn: ['^build'] } };
    });
    ws.commit('nx.json');

    const set = await compare(ws, { base: 'main', head: 'feature' }, PACKAGE_PROJECTS);
    for (const name of PACKAGE_PROJECTS) expectWorkspaceCause(set, name, 'nx.json changed', ['nx.json']);
  }, CASE_TIMEOUT);

  it('a root package.json dependency version change affects the projects using that package', async () => {
    ws.branch('feature');
    ws.editJson<{ dependencies: Record<string, string> }>('package.json', (json) => {
      json.dependencies.zod = '^3.24.0';
    });
    ws.commit('bump zod in the root package.json');

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['@acme/core', '@acme/util', '@acme/web']);
    expectWorkspaceCause(set, '@acme/util', 'root package.json changed', ['package.json']);
    expectVia(set, '@acme/core', ['@acme/util']);
    expectVia(set, '@acme/web', ['@acme/core', '@acme/util']);
  }, CASE_TIMEOUT);

  it('a package-lock.json change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'package-lock.json': packageLock(PACKAGES, BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, PACKAGE_PROJECTS);
    for (const name of PACKAGE_PROJECTS) {
      expectWorkspaceCause(set, name, 'lockfile package-lock.json changed', ['package-lock.json']);
    }
  }, CASE_TIMEOUT);

  it('a package-lock.json change with projectsAffectedByDependencyUpdates: auto affects the users of the changed package', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    // zod (used by util) and ms (used by admin only through debug) move.
    ws.commit('bump zod and ms in the lockfile', { 'package-lock.json': packageLock(PACKAGES, BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['@acme/admin', '@acme/core', '@acme/util', '@acme/web']);
    expectWorkspaceCause(set, '@acme/util', 'lockfile package-lock.json changed', ['package-lock.json']);
    expectWorkspaceCause(set, '@acme/admin', 'lockfile package-lock.json changed', ['package-lock.json']);
    expectVia(set, '@acme/web', ['@acme/core', '@acme/util']);
    expect(names(set)).not.toContain('@acme/ui');
  }, CASE_TIMEOUT);

  it('an added project (a new package, and an existing one starting to depend on it)', async () => {
    ws.branch('feature');
    const extra = { dir: 'libs/extra', name: '@acme/extra', deps: { '@acme/util': '*' } };
    ws.commit('add @acme/extra', {
      'libs/extra/package.json': packageJson(extra),
      'libs/extra/index.js': "export const extra = 'extra';\n",
      'apps/worker/package.json': packageJson({ dir: 'apps/worker', name: '@acme/worker', deps: { '@acme/extra': '*' } }),
    });

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['@acme/extra', '@acme/worker']);
    expectDirect(set, '@acme/extra', ['libs/extra/index.js', 'libs/extra/package.json']);
    expectDirect(set, '@acme/worker', ['apps/worker/package.json']);
    expect(project(set, '@acme/extra').root).toBe('libs/extra');
  }, CASE_TIMEOUT);

  it('a deleted project (package removed) affects every remaining project, as Nx rules', async () => {
    ws.branch('feature');
    ws.commit('remove @acme/worker', { 'apps/worker': null });

    const remaining = PACKAGE_PROJECTS.filter((n) => n !== '@acme/worker');
    const set = await compare(ws, { base: 'main', head: 'feature' }, remaining);
    expect(names(set)).not.toContain('@acme/worker');
    for (const name of remaining) expect(project(set, name).direct).toBe(true);
  }, CASE_TIMEOUT);

  it('a tracked file that the root .gitignore matches is no change (nx drops it before its locators)', async () => {
    ws.write({ '.gitignore': 'dist\n' });
    ws.write({ 'libs/ui/dist/bundle.js': 'export default 1;\n' });
    ws.git('add', '-f', 'libs/ui/dist/bundle.js'); // committed before (or despite) the rule
    ws.commit('ignore dist, but track one bundle');
    ws.branch('feature');
    ws.write({ 'libs/ui/dist/bundle.js': 'export default 2;\n', 'libs/util/index.js': "export const util = 'util v2';\n" });
    ws.git('add', '-f', 'libs/ui/dist/bundle.js');
    ws.commit('rebuild the bundle; change util');

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['@acme/core', '@acme/util', '@acme/web']);
    expect(names(set)).not.toContain('@acme/ui');
    expect(set.touchedFiles).toBe(1);
    expectVia(set, '@acme/web', ['@acme/core', '@acme/util']);
  }, CASE_TIMEOUT);
});

describe('project.json workspace (implicitDependencies, TS path imports)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('pj', projectJsonTemplate());
  });
  beforeEach(() => ws.reset());

  it('follows static TS imports and implicitDependencies', async () => {
    ws.branch('feature');
    ws.commit('ui', { 'libs/ui/src/index.ts': "export const button = '<button class=\"primary\">';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['docs', 'portal', 'portal-e2e', 'ui']);
    expectDirect(set, 'ui', ['libs/ui/src/index.ts']);
    expectVia(set, 'docs', ['ui']); // implicit
    expectVia(set, 'portal', ['ui']); // static import of @b/ui
    expectVia(set, 'portal-e2e', ['portal', 'ui']); // implicit, then static
  }, CASE_TIMEOUT);

  it('a change deep in the chain reaches every dependent through imports and implicitDependencies', async () => {
    ws.branch('feature');
    ws.commit('shared', { 'libs/shared/src/index.ts': "export const shared = 'shared v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['data', 'portal', 'portal-e2e', 'shared']);
    expectVia(set, 'portal-e2e', ['portal', 'data', 'shared']);
  }, CASE_TIMEOUT);

  it('a root tsconfig `paths` change affects the projects the changed mappings point into', async () => {
    ws.branch('feature');
    ws.editJson<{ compilerOptions: Record<string, unknown> }>('tsconfig.base.json', (json) => {
      json.compilerOptions.paths = { ...TS_PATHS, '@b/ui/testing': ['libs/ui/src/testing.ts'] };
    });
    ws.commit('paths');

    const set = await compare(ws, { base: 'main', head: 'feature' }, ['docs', 'portal', 'portal-e2e', 'ui']);
    expectWorkspaceCause(set, 'ui', 'root tsconfig.base.json changed', ['tsconfig.base.json']);
    expectVia(set, 'portal-e2e', ['portal', 'ui']);
  }, CASE_TIMEOUT);

  it('a root tsconfig change outside `paths` affects every project', async () => {
    ws.branch('feature');
    ws.editJson<{ compilerOptions: Record<string, unknown> }>('tsconfig.base.json', (json) => {
      json.compilerOptions.strict = false;
    });
    ws.commit('not strict');

    const set = await compare(ws, { base: 'main', head: 'feature' }, PROJECT_JSON_PROJECTS);
    for (const name of PROJECT_JSON_PROJECTS) {
      expectWorkspaceCause(set, name, 'root tsconfig.base.json changed', ['tsconfig.base.json']);
    }
  }, CASE_TIMEOUT);

  it('a deleted project (project.json removed) affects every remaining project, as Nx rules', async () => {
    ws.branch('feature');
    ws.commit('remove scripts', { 'tools/scripts': null });

    const remaining = PROJECT_JSON_PROJECTS.filter((n) => n !== 'scripts');
    const set = await compare(ws, { base: 'main', head: 'feature' }, remaining);
    expect(names(set)).not.toContain('scripts');
  }, CASE_TIMEOUT);

  it('with a root project (project.json at the workspace root), root-level files still follow Nx\'s rules', async () => {
    ws.commit('a root project', { 'project.json': { name: 'workspace-root', $schema: 'node_modules/nx/schemas/project-schema.json', targets: {} } });
    ws.branch('feature');
    ws.editJson<{ compilerOptions: Record<string, unknown> }>('tsconfig.base.json', (json) => {
      json.compilerOptions.strict = false;
    });
    ws.commit('not strict', { 'README.md': '# b, documented\n' });

    // The root project owns tsconfig.base.json and README.md, yet a non-paths tsconfig change is still every project.
    const set = await compare(ws, { base: 'main', head: 'feature' }, [...PROJECT_JSON_PROJECTS, 'workspace-root']);
    expectDirect(set, 'workspace-root', ['README.md', 'tsconfig.base.json']);
    expectWorkspaceCause(set, 'ui', 'root tsconfig.base.json changed', ['tsconfig.base.json']);
  }, CASE_TIMEOUT);

  it('--uncommitted: staged and unstaged changes only (not commits, not untracked files)', async () => {
    ws.branch('feature');
    ws.commit('committed: shared', { 'libs/shared/src/index.ts': "export const shared = 'shared v2';\n" });
    ws.write({ 'tools/scripts/src/release.ts': "export const release = 'release v2';\n" });
    ws.git('add', 'tools/scripts/src/release.ts'); // staged
    ws.write({ 'libs/ui/src/index.ts': "export const button = '<button disabled>';\n" }); // unstaged
    ws.write({ 'libs/shared/src/extra.ts': "export const extra = 1;\n" }); // untracked

    const set = await compare(ws, { uncommitted: true }, ['docs', 'portal', 'portal-e2e', 'scripts', 'ui']);
    expect(names(set)).not.toContain('shared');
    expect(set.uncommitted).toBe(true);
    expectDirect(set, 'scripts', ['tools/scripts/src/release.ts']);
    expectDirect(set, 'ui', ['libs/ui/src/index.ts']);
  }, CASE_TIMEOUT);

  it('default mode (base only): committed diff + uncommitted + untracked files', async () => {
    ws.branch('feature');
    ws.commit('committed: data', { 'libs/data/src/index.ts': "import { shared } from '@b/shared';\n\nexport const data = shared;\n" });
    ws.write({ 'libs/shared/src/index.ts': "export const shared = 'shared v3';\n" }); // uncommitted
    ws.write({ 'tools/scripts/src/new-step.ts': "export const step = 1;\n" }); // untracked

    const expected = ['data', 'portal', 'portal-e2e', 'scripts', 'shared'];
    const set = await compare(ws, { base: 'main' }, expected);
    expect(set.head).toBe(ws.head());
    expectDirect(set, 'data', ['libs/data/src/index.ts']);
    expectDirect(set, 'shared', ['libs/shared/src/index.ts']);
    expectDirect(set, 'scripts', ['tools/scripts/src/new-step.ts']);
    expect(names(set)).not.toContain('ui');

    // No base at all: nx.json's defaultBase (main) for both.
    await compare(ws, {}, expected);
  }, CASE_TIMEOUT);
});
