// Which changes the persisted graph may absorb by reading a few files again, and which need Nx's full
// build; and how the per-file dependencies become each project's edges again.
import { describe, expect, it } from 'vitest';
import type { WorkspaceProject } from '../../../shared/domain.js';
import { type PersistedGraph, isFileMap } from '../../../electron/adapters/nx/graph-cache.js';
import { applyProjectReads, applyUpdate, planUpdate, tagPatternsInUse } from '../../../electron/adapters/nx/incremental-graph.js';
import type { HostProjectRead } from '../../../electron/adapters/nx/nx-host-client.js';

const project = (name: string, root: string, dependencies: string[] = []) => ({
  name,
  root,
  type: 'library' as const,
  tags: [],
  dependencies,
  capabilities: { dockerfile: null, manifests: null, test: null, buildable: false, deployable: false },
});

function entry(fileMap?: PersistedGraph['fileMap']): PersistedGraph {
  return {
    format: 2,
    convoy: '0.1.0',
    root: '/ws',
    nxDir: '/nx',
    nxVersion: '24.0.6',
    key: 'k',
    head: 'h',
    dirty: {},
    blobs: {},
    graph: {
      nxVersion: '24.0.6',
      projects: [project('app', 'apps/app', ['data', 'ui']), project('data', 'libs/data', ['shared']), project('shared', 'libs/shared'), project('ui', 'libs/ui')],
    },
    fileMap: fileMap ?? {
      incremental: true,
      patterns: ['{project.json,**/project.json}', '{yarn.lock,package-lock.json}'],
      configPatterns: ['{project.json,**/project.json}'],
      files: { 'apps/app/src/main.ts': ['data'], 'libs/data/src/index.ts': ['shared'] },
      fixed: { app: ['ui'] },
      implicit: {},
      configs: {},
      locatorProjects: {},
      externalNodes: {},
    },
  };
}

// A matcher good enough for these globs: the literal names inside the braces, anywhere.
const matches = (file: string, pattern: string) =>
  pattern.replace(/[{}]/g, '').split(',').some((p) => file === p || file.endsWith(`/${p.replace('**/', '')}`));
const ctx = () => ({ isIgnored: (f: string) => f.startsWith('dist/'), exists: () => true, matches });

describe('planUpdate', () => {
  it('reads a changed source file of a project again; a deleted one drops its dependencies', () => {
    const plan = planUpdate(entry(), ['apps/app/src/main.ts', 'libs/ui/src/gone.ts', 'libs/ui/README.md'], {
      ...ctx(),
      exists: (f) => f !== 'libs/ui/src/gone.ts',
    });
    expect(plan).toEqual({ kind: 'update', analyse: [{ file: 'apps/app/src/main.ts', project: 'app' }], drop: ['libs/ui/src/gone.ts'], projects: [] });
  });

  it.each([
    ['nx.json'],
    ['package-lock.json'],
    ['yarn.lock'],
    ['tsconfig.base.json'],
    ['tsconfig.json'],
    ['package.json'],
    ['libs/ui/project.json'],
    ['libs/new/project.json'],
    ['libs/ui/package.json'],
    ['.gitignore'],
    ['libs/ui/.nxignore'],
    ['libs/ui/Dockerfile'],
    ['libs/ui/deploy/service.yaml'],
  ])('%s needs a full rebuild', (file) => {
    expect(planUpdate(entry(), ['libs/ui/src/index.ts', file], ctx()).kind).toBe('full');
  });

  it('a file a plugin glob matches needs a full rebuild', () => {
    const e = entry();
    if (!e.fileMap.incremental) throw new Error('fixture');
    e.fileMap.patterns.push('**/*.csproj');
    const plan = planUpdate(e, ['libs/ui/ui.csproj'], { ...ctx(), matches: (f, p) => (p === '**/*.csproj' ? f.endsWith('.csproj') : matches(f, p)) });
    expect(plan).toEqual({ kind: 'full', reason: 'libs/ui/ui.csproj changed (plugin glob **/*.csproj)' });
  });

  it('ignored files, nx data and files outside every project change nothing', () => {
    expect(planUpdate(entry(), ['dist/app/main.js', '.nx/workspace-data/file-map.json', 'scripts/x.ts', 'docs/a.md'], ctx())).toEqual({
      kind: 'update',
      analyse: [],
      drop: [],
      projects: [],
    });
  });

  it('a file map Nx could not give (a plugin adds dependencies of its own) always rebuilds', () => {
    expect(planUpdate(entry({ incremental: false, reason: 'plugin x adds dependencies of its own' }), ['libs/ui/src/a.ts'], ctx())).toEqual({
      kind: 'full',
      reason: 'plugin x adds dependencies of its own',
    });
  });
});

describe('applyUpdate', () => {
  it('with nothing changed, gives back the same edges', () => {
    expect(applyUpdate(entry(), [], {}).graph.projects.map((p) => [p.name, p.dependencies])).toEqual([
      ['app', ['data', 'ui']],
      ['data', ['shared']],
      ['shared', []],
      ['ui', []],
    ]);
  });

  it('a new import adds an edge, a removed one takes it away, fixed edges stay', () => {
    const { graph, fileMap } = applyUpdate(entry(), ['libs/data/src/index.ts'], { 'apps/app/src/main.ts': [], 'libs/ui/src/a.ts': ['shared'] });
    expect(graph.projects.map((p) => [p.name, p.dependencies])).toEqual([
      ['app', ['ui']],
      ['data', []],
      ['shared', []],
      ['ui', ['shared']],
    ]);
    expect(fileMap.incremental && fileMap.files).toEqual({ 'libs/ui/src/a.ts': ['shared'] });
  });
});

/** The fixture with its projects' own config files recorded, as the host does when source maps show they alone describe them. */
function withConfigs(): PersistedGraph {
  const e = entry();
  if (!e.fileMap.incremental) throw new Error('fixture');
  e.fileMap.configs = { app: ['apps/app/project.json'], ui: ['libs/ui/package.json', 'libs/ui/project.json'], data: ['libs/data/project.json'], shared: ['libs/shared/project.json'] };
  e.fileMap.implicit = { app: ['shared'] };
  e.fileMap.locatorProjects = { ui: { root: 'libs/ui', metadata: { js: { packageName: '@b/ui' } } } };
  return e;
}

describe('planUpdate: a project\'s own project.json or package.json', () => {
  it('re-reads that project; a package.json also has its workspace dependencies read again', () => {
    expect(planUpdate(withConfigs(), ['libs/ui/project.json', 'libs/ui/package.json', 'apps/app/project.json', 'libs/ui/src/a.ts'], ctx())).toEqual({
      kind: 'update',
      analyse: [
        { file: 'libs/ui/package.json', project: 'ui' },
        { file: 'libs/ui/src/a.ts', project: 'ui' },
      ],
      drop: [],
      projects: ['app', 'ui'],
    });
  });

  it.each([
    ['project.json', 'project.json changed'],
    ['libs/new/project.json', 'libs/new/project.json changed (no known project has that root: a project may appear)'],
    ['libs/ui/src/package.json', 'libs/ui/src/package.json changed (no known project has that root: a project may appear)'],
    ['apps/app/package.json', 'apps/app/package.json changed (not a config file that alone described app)'],
  ])('%s needs a full rebuild', (file, reason) => {
    expect(planUpdate(withConfigs(), [file], ctx())).toEqual({ kind: 'full', reason });
  });

  it('a tsconfig.lib.json or tsconfig.app.json at a project root (Nx reads them for its type) re-reads that project', () => {
    expect(planUpdate(withConfigs(), ['libs/ui/tsconfig.lib.json', 'apps/app/src/tsconfig.app.json'], ctx())).toEqual({ kind: 'update', analyse: [], drop: [], projects: ['ui'] });
    const e = withConfigs();
    if (e.fileMap.incremental) delete e.fileMap.configs.ui;
    expect(planUpdate(e, ['libs/ui/tsconfig.app.json'], ctx())).toEqual({ kind: 'full', reason: 'libs/ui/tsconfig.app.json changed (the type of ui)' });
  });

  it('a deleted config file, or one another plugin\'s glob matches, needs a full rebuild', () => {
    expect(planUpdate(withConfigs(), ['libs/ui/project.json'], { ...ctx(), exists: () => false })).toEqual({ kind: 'full', reason: 'libs/ui/project.json was deleted' });
    const e = withConfigs();
    if (!e.fileMap.incremental) throw new Error('fixture');
    e.fileMap.patterns.push('**/package.json');
    const plan = planUpdate(e, ['libs/ui/package.json'], { ...ctx(), matches: (f, p) => (p === '**/package.json' ? f.endsWith('/package.json') : matches(f, p)) });
    expect(plan).toEqual({ kind: 'full', reason: 'libs/ui/package.json changed (plugin glob **/package.json)' });
  });
});

/** ui as the host reads it again: `changes` to the read, `fields` to the project. */
const uiRead = (changes: Partial<Extract<HostProjectRead, { found: true }>> = {}, fields: Partial<WorkspaceProject> = {}): HostProjectRead => ({
  found: true,
  project: { ...project('ui', 'libs/ui'), ...fields },
  rawImplicit: [],
  implicit: [],
  locator: { root: 'libs/ui', metadata: { js: { packageName: '@b/ui' } } },
  ...changes,
});
const noTagPatterns = { tagPatternsInUse: () => false };

describe('applyProjectReads', () => {
  it('puts in the project as Nx read it again (type, tags, capabilities) and its expanded implicitDependencies', () => {
    const read = uiRead({ rawImplicit: ['data', '!shared'], implicit: ['data', '!shared'] }, { type: 'application', tags: ['scope:ui'] });
    const applied = applyProjectReads(withConfigs(), { ui: read }, noTagPatterns);
    if (applied.kind !== 'read') throw new Error(applied.reason);
    const ui = applied.entry.graph.projects.find((p) => p.name === 'ui');
    expect(ui).toMatchObject({ type: 'application', tags: ['scope:ui'], dependencies: [] });
    expect(applied.entry.fileMap.incremental && applied.entry.fileMap.implicit).toEqual({ app: ['shared'], ui: ['data', '!shared'] });
    // applyUpdate then makes the edges: ui → data (implicit); app keeps shared (implicit) and its own.
    const deps = applyUpdate(applied.entry, [], {}).graph.projects.map((p) => [p.name, p.dependencies]);
    expect(deps).toEqual([
      ['app', ['data', 'shared', 'ui']],
      ['data', ['shared']],
      ['shared', []],
      ['ui', ['data']],
    ]);
  });

  it.each<[string, HostProjectRead, string]>([
    ['gone', { found: false }, 'libs/ui no longer holds a project'],
    ['renamed', uiRead({}, { name: 'widgets' }), 'ui was renamed to widgets'],
    ['package metadata changed', uiRead({ locator: { root: 'libs/ui', metadata: { js: { packageName: '@b/widgets' } } } }), 'the package metadata of ui changed'],
    ['implicit pattern', uiRead({ rawImplicit: ['tag:scope:data'], implicit: ['data'] }), 'the implicitDependencies of ui hold a pattern or an unknown project'],
    ['implicit unknown project', uiRead({ rawImplicit: ['nope'] }), 'the implicitDependencies of ui hold a pattern or an unknown project'],
  ])('%s: a full rebuild', (_label, read, reason) => {
    expect(applyProjectReads(withConfigs(), { ui: read }, noTagPatterns)).toEqual({ kind: 'full', reason });
  });

  it('changed tags: a full rebuild only when some implicitDependencies may select by tag', () => {
    const read = uiRead({}, { tags: ['scope:ui'] });
    expect(applyProjectReads(withConfigs(), { ui: read }, { tagPatternsInUse: () => true })).toEqual({
      kind: 'full',
      reason: 'the tags of ui changed and implicitDependencies may select by tag',
    });
    expect(applyProjectReads(withConfigs(), { ui: read }, noTagPatterns).kind).toBe('read');
    // Unchanged tags never ask.
    expect(applyProjectReads(withConfigs(), { ui: uiRead() }, { tagPatternsInUse: () => true }).kind).toBe('read');
  });

  it('package metadata compares as JSON: a key holding undefined (kept by the host\'s IPC, dropped in the file) is no change', () => {
    const locator = { metadata: { js: { packageName: '@b/ui', packageExports: undefined } }, root: 'libs/ui' };
    expect(applyProjectReads(withConfigs(), { ui: uiRead({ locator }) }, noTagPatterns).kind).toBe('read');
  });
});

describe('tagPatternsInUse', () => {
  const files: Record<string, Record<string, unknown>> = {
    'apps/app/project.json': { implicitDependencies: ['shared', '!data'] },
    'libs/ui/package.json': { name: '@b/ui', nx: { implicitDependencies: ['data'] } },
    'libs/ui/project.json': {},
    'libs/data/project.json': {},
    'libs/shared/project.json': {},
  };
  const read = (over: Record<string, Record<string, unknown> | null>) => (file: string) => (file in over ? over[file]! : (files[file] ?? null));

  it('plain project names (and their negation) select nothing by tag', () => {
    expect(tagPatternsInUse(withConfigs(), read({}))).toBe(false);
  });

  it.each<[string, Record<string, Record<string, unknown> | null>]>([
    ['a tag pattern in a project.json', { 'libs/data/project.json': { implicitDependencies: ['tag:scope:ui'] } }],
    ['a glob in a package.json nx field', { 'libs/ui/package.json': { nx: { implicitDependencies: ['*'] } } }],
    ['an unreadable config file', { 'libs/shared/project.json': null }],
  ])('%s: maybe', (_label, over) => {
    expect(tagPatternsInUse(withConfigs(), read(over))).toBe(true);
  });

  it('a project its own config files do not alone describe: maybe', () => {
    const e = withConfigs();
    if (e.fileMap.incremental) delete e.fileMap.configs.shared;
    expect(tagPatternsInUse(e, read({}))).toBe(true);
  });
});

describe('applyUpdate and implicitDependencies', () => {
  it("'!x' takes away the edge an import makes, even after the import is read again; a plain entry adds one", () => {
    const e = entry();
    if (!e.fileMap.incremental) throw new Error('fixture');
    e.fileMap.implicit = { app: ['!data', 'shared'] };
    const { graph } = applyUpdate(e, [], { 'apps/app/src/main.ts': ['data'] });
    expect(graph.projects.find((p) => p.name === 'app')?.dependencies).toEqual(['shared', 'ui']);
  });
});

describe('isFileMap', () => {
  it('accepts what the host writes and refuses other shapes', () => {
    expect(isFileMap(entry().fileMap)).toBe(true);
    expect(isFileMap({ incremental: false, reason: 'plugin x' })).toBe(true);
    expect(isFileMap({ incremental: true, patterns: [1], files: {}, fixed: {}, locatorProjects: {}, externalNodes: {} })).toBe(false);
    expect(isFileMap({ incremental: true, patterns: [], files: [], fixed: {}, locatorProjects: {}, externalNodes: {} })).toBe(false);
    expect(isFileMap({ incremental: 'yes' })).toBe(false);
    // A file map written before the one-project re-read (no configPatterns, implicit, configs): rebuilt.
    const { configPatterns: _p, implicit: _i, configs: _c, ...older } = entry().fileMap as Extract<PersistedGraph['fileMap'], { incremental: true }>;
    expect(isFileMap(older)).toBe(false);
    expect(isFileMap(null)).toBe(false);
  });
});
