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

// storefront → catalog-api → lib-pricing ← orders-api; catalog-api → lib-http; nested: lib-http/plugins/extra
const projects: GraphProject[] = [
  { name: 'storefront', root: 'services/storefront', dependencies: ['catalog-api'] },
  { name: 'catalog-api', root: 'services/catalog-api', dependencies: ['lib-pricing', 'lib-http'] },
  { name: 'orders-api', root: 'services/orders-api', dependencies: ['lib-pricing'] },
  { name: 'lib-pricing', root: 'libs/lib-pricing', dependencies: [] },
  { name: 'lib-http', root: 'libs/lib-http', dependencies: [] },
  { name: 'extra', root: 'libs/lib-http/plugins/extra', dependencies: ['npm:left-pad'] },
];

describe('owner lookup', () => {
  const owner = createOwnerLookup(projects);
  it('finds the deepest root containing a file', () => {
    expect(owner('libs/lib-http/src/a.js')).toBe('lib-http');
    expect(owner('libs/lib-http/plugins/extra/x.js')).toBe('extra');
    expect(owner('libs/lib-http-other/x.js')).toBeNull();
    expect(owner('nx.json')).toBeNull();
  });
  it('gives unowned files to a root project when there is one', () => {
    const withRoot = createOwnerLookup([...projects, { name: 'root', root: '.', dependencies: [] }]);
    expect(withRoot('README.md')).toBe('root');
    expect(withRoot('libs/lib-pricing/x.js')).toBe('lib-pricing');
  });
});

describe('classifyTouchedFiles', () => {
  const owner = createOwnerLookup(projects);
  it('answers plain files inside projects itself and sends the rest to Nx', () => {
    const deleted = new Set(['libs/lib-pricing/old.js']);
    const { owned, needsNx } = classifyTouchedFiles(
      [
        'libs/lib-pricing/src/price.js',
        'libs/lib-pricing/old.js',
        'services/orders-api/package.json',
        'nx.json',
        'package-lock.json',
        'services/storefront/www/index.html',
      ],
      owner,
      (file) => deleted.has(file),
    );
    expect(Object.fromEntries(owned)).toEqual({
      'lib-pricing': ['libs/lib-pricing/src/price.js'],
      storefront: ['services/storefront/www/index.html'],
    });
    expect(needsNx.sort()).toEqual(['libs/lib-pricing/old.js', 'nx.json', 'package-lock.json', 'services/orders-api/package.json']);
  });
});

describe('explainAffected', () => {
  it('walks dependents and names the shortest chain back to the touched project', () => {
    const touched = new Map<string, TouchCause[]>([['lib-pricing', [{ kind: 'files', files: ['libs/lib-pricing/src/price.ts'] }]]]);
    const result = explainAffected(projects, touched);
    expect(result.map((p) => p.name)).toEqual(['catalog-api', 'lib-pricing', 'orders-api', 'storefront']);
    const storefront = result.find((p) => p.name === 'storefront');
    expect(storefront).toMatchObject({ direct: false, via: ['catalog-api', 'lib-pricing'] });
    expect(storefront?.explanation).toBe('storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.ts');
    const pricing = result.find((p) => p.name === 'lib-pricing');
    expect(pricing).toMatchObject({ direct: true, files: ['libs/lib-pricing/src/price.ts'], moreFiles: 0, via: [] });
  });

  it('lists the first files and counts the rest', () => {
    const many = Array.from({ length: 8 }, (_, i) => `libs/lib-http/src/f${i}.js`);
    const [http] = explainAffected(projects, new Map([['lib-http', [{ kind: 'files' as const, files: many }]]])).filter(
      (p) => p.name === 'lib-http',
    );
    expect(http?.files).toHaveLength(5);
    expect(http?.moreFiles).toBe(3);
    expect(http?.explanation).toContain('(+3 more)');
  });

  it('prefers a directly touched project over a chain, and the shortest chain among several', () => {
    const touched = new Map<string, TouchCause[]>([
      ['lib-pricing', [{ kind: 'files', files: ['libs/lib-pricing/a.js'] }]],
      ['catalog-api', [{ kind: 'files', files: ['services/catalog-api/b.js'] }]],
    ]);
    const result = explainAffected(projects, touched);
    expect(result.find((p) => p.name === 'catalog-api')?.direct).toBe(true);
    expect(result.find((p) => p.name === 'storefront')?.via).toEqual(['catalog-api']);
  });

  it('walks breadth-first: a project one step from the touched one is not reported through a longer chain', () => {
    // a ← b ← m and a ← m: a depth-first walk that enters b first reaches m through b (m ← b ← a).
    const graph: GraphProject[] = [
      { name: 'a', root: 'a', dependencies: [] },
      { name: 'b', root: 'b', dependencies: ['a'] },
      { name: 'm', root: 'm', dependencies: ['b', 'a'] },
      { name: 'z', root: 'z', dependencies: ['m'] },
    ];
    const result = explainAffected(graph, new Map([['a', [{ kind: 'files' as const, files: ['a/x.ts'] }]]]));
    expect(result.find((p) => p.name === 'm')?.via).toEqual(['a']);
    expect(result.find((p) => p.name === 'z')?.via).toEqual(['m', 'a']);
  });

  it('ignores edges to external nodes and unknown touched names', () => {
    const result = explainAffected(projects, new Map([['nope', [{ kind: 'files' as const, files: ['x'] }]]]));
    expect(result).toEqual([]);
  });
});

describe('attributeCauses', () => {
  it('gives each touched project its own files and the workspace files Nx blamed', () => {
    const causes = attributeCauses(
      ['lib-pricing', 'orders-api', 'storefront'],
      new Map([['lib-pricing', ['libs/lib-pricing/x.js']]]),
      { 'nx.json': ['lib-pricing', 'orders-api', 'storefront'] },
    );
    expect(causes.get('lib-pricing')).toEqual([
      { kind: 'files', files: ['libs/lib-pricing/x.js'] },
      { kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] },
    ]);
    expect(causes.get('orders-api')).toEqual([{ kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] }]);
  });

  it('does not list a project\'s own config file twice (once as its file, once as a workspace cause)', () => {
    const causes = attributeCauses(['orders-api', 'storefront'], new Map([['orders-api', ['services/orders-api/project.json']]]), {
      'services/orders-api/project.json': ['orders-api', 'storefront'],
    });
    expect(causes.get('orders-api')).toEqual([{ kind: 'files', files: ['services/orders-api/project.json'] }]);
    expect(causes.get('storefront')).toEqual([
      { kind: 'workspace', cause: 'project configuration services/orders-api/project.json changed', files: ['services/orders-api/project.json'] },
    ]);
  });

  it('never drops a project Nx touched, even without a traced cause', () => {
    const causes = attributeCauses(['orders-api'], new Map(), {});
    expect(causes.get('orders-api')?.[0]).toMatchObject({ kind: 'workspace' });
  });

  it('names workspace causes readably', () => {
    expect(describeWorkspaceCause('nx.json')).toBe('nx.json changed');
    expect(describeWorkspaceCause('package.json')).toBe('root package.json changed');
    expect(describeWorkspaceCause('package-lock.json')).toBe('lockfile package-lock.json changed');
    expect(describeWorkspaceCause('tsconfig.base.json')).toBe('root tsconfig.base.json changed');
    expect(describeWorkspaceCause('apps/a/project.json')).toBe('project configuration apps/a/project.json changed');
  });
});

describe('cause (issue 11: every project says why, in one field)', () => {
  it('files, dependency, or the workspace-wide cause; a root package.json names the dependencies Nx saw change', () => {
    const causes = attributeCauses(
      ['lib-pricing', 'lib-http', 'orders-api'],
      new Map([['orders-api', ['services/orders-api/src/a.js']]]),
      { 'package.json': ['lib-pricing'], 'nx.json': ['lib-http'] },
      { 'package.json': ['zod'] },
    );
    const set = explainAffected(projects, causes);
    const cause = Object.fromEntries(set.map((p) => [p.name, p.cause]));
    expect(cause).toEqual({
      'catalog-api': 'dependency',
      'lib-http': 'nx.json changed',
      'lib-pricing': 'package.json dependency zod changed',
      'orders-api': 'files',
      storefront: 'dependency',
    });
    // The reasons keep the file-level cause; `cause` is the precise one.
    expect(set.find((p) => p.name === 'lib-pricing')?.reasons).toEqual([{ kind: 'workspace', cause: 'root package.json changed', files: ['package.json'] }]);
  });

  it('several dependencies are listed, sorted; a package.json change without one keeps the plain cause', () => {
    const many = explainAffected(projects, attributeCauses(['lib-http'], new Map(), { 'package.json': ['lib-http'] }, { 'package.json': ['zod', 'rxjs'] }));
    expect(many.find((p) => p.name === 'lib-http')?.cause).toBe('package.json dependencies rxjs, zod changed');
    const plain = explainAffected(projects, attributeCauses(['lib-http'], new Map(), { 'package.json': ['lib-http'] }));
    expect(plain.find((p) => p.name === 'lib-http')?.cause).toBe('root package.json changed');
  });
});
