// Which changes the persisted graph may absorb by reading a few files again, and which need Nx's full
// build; and how the per-file dependencies become each project's edges again.
import { describe, expect, it } from 'vitest';
import { type PersistedGraph, isFileMap } from '../../../electron/adapters/nx/graph-cache.js';
import { applyUpdate, planUpdate } from '../../../electron/adapters/nx/incremental-graph.js';

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

describe('isFileMap', () => {
  it('accepts what the host writes and refuses other shapes', () => {
    expect(isFileMap(entry().fileMap)).toBe(true);
    expect(isFileMap({ incremental: false, reason: 'plugin x' })).toBe(true);
    expect(isFileMap({ incremental: true, patterns: [1], files: {}, fixed: {}, locatorProjects: {}, externalNodes: {} })).toBe(false);
    expect(isFileMap({ incremental: true, patterns: [], files: [], fixed: {}, locatorProjects: {}, externalNodes: {} })).toBe(false);
    expect(isFileMap({ incremental: 'yes' })).toBe(false);
    expect(isFileMap(null)).toBe(false);
  });
});
