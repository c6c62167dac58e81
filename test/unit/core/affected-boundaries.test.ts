// Boundaries of the affected-projects core that the mutation run (docs/mutation.md) found unpinned:
// each case fails with one of its surviving mutants applied by hand.
import { describe, expect, it } from 'vitest';
import {
  attributeCauses,
  classifyTouchedFiles,
  createOwnerLookup,
  describeWorkspaceCause,
  explainAffected,
  type GraphProject,
  type TouchCause,
} from '../../../electron/core/affected.js';

const project = (name: string, root: string, dependencies: string[] = []): GraphProject => ({ name, root, dependencies });
const byFiles = (...files: string[]): TouchCause[] => [{ kind: 'files', files }];

describe('owner lookup: roots as written in project files', () => {
  it('accepts backslashes, a trailing slash (or two) and "./" in a root', () => {
    const owner = createOwnerLookup([project('win', 'libs\\win'), project('slash', 'libs/slash/'), project('two', 'libs/two//'), project('dot', './libs/dot')]);
    expect(owner('libs/win/a.ts')).toBe('win');
    expect(owner('libs/slash/a.ts')).toBe('slash');
    expect(owner('libs/two/a.ts')).toBe('two');
    expect(owner('libs/dot/a.ts')).toBe('dot');
  });

  it('keeps a dot inside a root, and reads "./." as the workspace root', () => {
    const owner = createOwnerLookup([project('v1', 'libs/v1.2'), project('root', './.')]);
    expect(owner('libs/v1.2/a.ts')).toBe('v1');
    expect(owner('README.md')).toBe('root');
  });

  it('keeps the leading dot of a hidden folder: a project at .tools/x owns its files', () => {
    const owner = createOwnerLookup([project('tools', '.tools/x'), project('dotroot', '.')]);
    expect(owner('.tools/x/a.ts')).toBe('tools');
    expect(owner('tools/x/a.ts')).toBe('dotroot');
  });

  it('never matches a root against a cut-off file name', () => {
    expect(createOwnerLookup([project('a', 'a')])('abc')).toBeNull();
  });
});

describe('classifyTouchedFiles: what goes to Nx', () => {
  const owner = createOwnerLookup([project('root', '.'), project('a', 'libs/a')]);
  it('sends files at the workspace root to Nx even when a root project owns them', () => {
    const { owned, needsNx } = classifyTouchedFiles(['README.md', 'libs/a/x.ts'], owner, () => false);
    expect(needsNx).toEqual(['README.md']);
    expect(Object.fromEntries(owned)).toEqual({ a: ['libs/a/x.ts'] });
  });

  it('sends a file outside every project to Nx', () => {
    const { owned, needsNx } = classifyTouchedFiles(['tools/x.js'], createOwnerLookup([project('a', 'libs/a')]), () => false);
    expect(needsNx).toEqual(['tools/x.js']);
    expect(owned.size).toBe(0);
  });
});

describe('describeWorkspaceCause: only root files are "root"', () => {
  it('names tsconfig files at the root only, and only tsconfig*.json', () => {
    expect(describeWorkspaceCause('apps/a/tsconfig.json')).toBe('apps/a/tsconfig.json changed');
    expect(describeWorkspaceCause('my-tsconfig.json')).toBe('my-tsconfig.json changed');
    expect(describeWorkspaceCause('tsconfig.json.bak')).toBe('tsconfig.json.bak changed');
  });

  it('names any other file plainly', () => {
    expect(describeWorkspaceCause('libs/a/README.md')).toBe('libs/a/README.md changed');
  });
});

describe('explainAffected: order and shape of the answer', () => {
  it('sorts a project\'s files and joins them with commas, with and without "+N more"', () => {
    const [two] = explainAffected([project('a', 'a')], new Map([['a', byFiles('a/b.js', 'a/a.js')]]));
    expect(two).toMatchObject({ files: ['a/a.js', 'a/b.js'], explanation: 'a: changed: a/a.js, a/b.js' });
    const many = ['a/f.js', 'a/e.js', 'a/d.js', 'a/c.js', 'a/b.js', 'a/a.js'];
    const [six] = explainAffected([project('a', 'a')], new Map([['a', byFiles(...many)]]));
    expect(six?.explanation).toBe('a: changed: a/a.js, a/b.js, a/c.js, a/d.js, a/e.js (+1 more)');
  });

  it('a project touched by a workspace file lists no files of its own; its reasons list the files sorted', () => {
    const cause: TouchCause = { kind: 'workspace', cause: 'lockfiles changed', files: ['yarn.lock', 'package-lock.json'] };
    const [a] = explainAffected([project('a', 'a')], new Map([['a', [cause]]]));
    expect(a).toMatchObject({ files: [], moreFiles: 0, reasons: [{ kind: 'workspace', cause: 'lockfiles changed', files: ['package-lock.json', 'yarn.lock'] }] });
  });

  it('a dependent names the source\'s causes (workspace ones by their text, joined by "; ") and has exactly one dependency reason', () => {
    const graph = [project('lib', 'lib'), project('app', 'app', ['lib'])];
    const touched = new Map<string, TouchCause[]>([['lib', [...byFiles('lib/x.ts'), { kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] }]]]);
    const app = explainAffected(graph, touched).find((p) => p.name === 'app');
    expect(app).toEqual({
      name: 'app',
      root: 'app',
      direct: false,
      files: [],
      moreFiles: 0,
      via: ['lib'],
      reasons: [{ kind: 'dependency', via: ['lib'], source: 'lib' }],
      cause: 'dependency',
      explanation: 'app ← lib: lib/x.ts; nx.json changed',
    });
  });

  it('between chains of the same length, takes the one through the alphabetically first project', () => {
    // c and b both depend on a; d depends on both. Listed c before b, and touched b before a.
    const graph = [project('a', 'a'), project('c', 'c', ['a']), project('b', 'b', ['a']), project('d', 'd', ['b', 'c'])];
    expect(explainAffected(graph, new Map([['a', byFiles('a/x')]])).find((p) => p.name === 'd')?.via).toEqual(['b', 'a']);
    const two = [project('b', 'b'), project('a', 'a'), project('c', 'c', ['b', 'a'])];
    const touched = new Map([['b', byFiles('b/x')], ['a', byFiles('a/x')]]);
    expect(explainAffected(two, touched).find((p) => p.name === 'c')?.via).toEqual(['a']);
  });
});

describe('attributeCauses: only what Nx touched, in a fixed order', () => {
  it('gives causes only to projects Nx says are touched', () => {
    const causes = attributeCauses(['a'], new Map([['a', ['libs/a/x.ts']], ['b', ['libs/b/y.ts']]]), { 'nx.json': ['a', 'c'] });
    expect([...causes.keys()]).toEqual(['a']);
  });

  it('orders a project\'s workspace causes by their text', () => {
    const causes = attributeCauses(['a'], new Map(), { 'nx.json': ['a'], 'package-lock.json': ['a'] });
    expect(causes.get('a')?.map((c) => (c.kind === 'workspace' ? c.cause : c.kind))).toEqual(['lockfile package-lock.json changed', 'nx.json changed']);
  });

  it('skips a workspace cause only when one of its files is among the project\'s own files', () => {
    const causes = attributeCauses(['a'], new Map([['a', ['libs/a/project.json', 'libs/a/src/x.ts']]]), { 'libs/a/project.json': ['a'] });
    expect(causes.get('a')).toEqual([{ kind: 'files', files: ['libs/a/project.json', 'libs/a/src/x.ts'] }]);
  });

  it('a project touched without a traced cause gets the workspace-wide cause and no files', () => {
    expect(attributeCauses(['a'], new Map(), {}).get('a')).toEqual([{ kind: 'workspace', cause: 'touched by a workspace-wide change', files: [] }]);
  });

  it('names changed dependencies for the root package.json only', () => {
    const causes = attributeCauses(['a'], new Map(), { 'apps/a/package.json': ['a'] }, { 'apps/a/package.json': ['zod'] });
    expect(causes.get('a')).toEqual([{ kind: 'workspace', cause: 'project configuration apps/a/package.json changed', files: ['apps/a/package.json'] }]);
  });
});
