// How explainAffected describes a directly touched project, and inputs the earlier tests never gave it
// (a project with no recorded cause, a project whose name is Stryker's placeholder text, an odd root).
// Each case fails with one of the full mutation run's survivors applied by hand (docs/mutation-equivalents.json
// lists the survivors no input can tell apart).
import { describe, expect, it } from 'vitest';
import { createOwnerLookup, describeWorkspaceCause, explainAffected, type GraphProject, type TouchCause } from '../../../electron/core/affected.js';

const project = (name: string, root: string, dependencies: string[] = []): GraphProject => ({ name, root, dependencies });

describe('explainAffected: a directly touched project', () => {
  it('keeps one reason per cause, files and workspace alike, and joins the causes with "; "', () => {
    const causes: TouchCause[] = [
      { kind: 'files', files: ['libs/lib/b.ts', 'libs/lib/a.ts'] },
      { kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] },
    ];
    const [lib] = explainAffected([project('lib', 'libs/lib')], new Map([['lib', causes]]));
    expect(lib).toMatchObject({
      name: 'lib',
      direct: true,
      files: ['libs/lib/a.ts', 'libs/lib/b.ts'],
      reasons: [
        { kind: 'files', files: ['libs/lib/a.ts', 'libs/lib/b.ts'], more: 0 },
        { kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] },
      ],
      cause: 'files',
      explanation: 'lib: changed: libs/lib/a.ts, libs/lib/b.ts; nx.json changed',
    });
  });

  it('lists a project touched with an empty list of causes, and does not throw', () => {
    const result = explainAffected([project('lib', 'libs/lib'), project('app', 'apps/app', ['lib'])], new Map([['lib', []]]));
    expect(result.map((p) => p.name)).toEqual(['app', 'lib']);
  });
});

describe('explainAffected: the walk starts from the touched projects only', () => {
  it('does not reach the dependents of an untouched project, whatever its name', () => {
    // 'Stryker was here' is the text Stryker puts into a mutated array literal (here: the walk's queue).
    const projects = [project('Stryker was here', 'libs/s'), project('app', 'apps/app', ['Stryker was here']), project('lib', 'libs/lib')];
    const result = explainAffected(projects, new Map([['lib', [{ kind: 'files' as const, files: ['libs/lib/a.ts'] }]]]));
    expect(result.map((p) => p.name)).toEqual(['lib']);
  });
});

describe('roots and workspace causes: unusual names', () => {
  it('strips "./" only at the start of a root: a folder whose name ends in a dot keeps it', () => {
    const owner = createOwnerLookup([project('api', 'libs/v2./api')]);
    expect(owner('libs/v2./api/src/a.ts')).toBe('api');
    expect(owner('libs/v2api/src/a.ts')).toBeNull();
  });

  it('names nx.json only for nx.json, not for an empty file name', () => {
    expect(describeWorkspaceCause('nx.json')).toBe('nx.json changed');
    expect(describeWorkspaceCause('')).not.toContain('nx.json');
  });
});
