// explainAffected against a breadth-first reference: the affected set is everything that depends,
// directly or not, on a touched project; every chain is a real dependency path back to a touched
// project, and no shorter one exists.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { explainAffected, type GraphProject, type TouchCause } from '../../electron/core/affected.js';

const cases = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    projects: fc
      .array(fc.tuple(fc.nat(n - 1), fc.nat(n)), { maxLength: n * 3 })
      .map((edges): GraphProject[] =>
        Array.from({ length: n }, (_, i) => ({
          name: `p${i}`,
          root: `libs/p${i}`,
          // Cycles allowed: Nx graphs can have them, and the walk must still end.
          dependencies: edges.filter(([from]) => from === i).map(([, to]) => (to < n ? `p${to}` : 'npm:zod')),
        })),
      ),
    touched: fc.uniqueArray(fc.nat(n), { minLength: 1, maxLength: n }).map((ids) => ids.map((i) => (i < n ? `p${i}` : 'not-a-project'))),
  }),
);

/** Distance from the touched projects along "is depended on by", computed level by level. */
function distances(projects: readonly GraphProject[], touched: readonly string[]): Map<string, number> {
  const names = new Set(projects.map((p) => p.name));
  const distance = new Map<string, number>();
  let level = touched.filter((t) => names.has(t));
  for (const name of level) distance.set(name, 0);
  for (let d = 1; level.length > 0; d++) {
    const next: string[] = [];
    for (const project of projects) {
      if (distance.has(project.name)) continue;
      if (project.dependencies.some((dep) => level.includes(dep))) {
        distance.set(project.name, d);
        next.push(project.name);
      }
    }
    level = next;
  }
  return distance;
}

describe('explainAffected (property)', () => {
  test.prop([cases])('every affected project is explained by a real, shortest chain', ({ projects, touched }) => {
    const causes = new Map<string, TouchCause[]>(touched.map((name) => [name, [{ kind: 'files', files: [`${name}/x.ts`] }]]));
    const expected = distances(projects, touched);
    const result = explainAffected(projects, causes);
    const byName = new Map(projects.map((p) => [p.name, p]));

    expect(result.map((r) => r.name).sort()).toEqual([...expected.keys()].sort());
    for (const affected of result) {
      if (expected.get(affected.name) === 0) {
        expect(affected).toMatchObject({ direct: true, via: [] });
        continue;
      }
      expect(affected.direct).toBe(false);
      // A real path: name depends on via[0], via[i] on via[i+1], and the last one was touched.
      const chain = [affected.name, ...affected.via];
      for (let i = 0; i + 1 < chain.length; i++) expect(byName.get(chain[i] as string)?.dependencies).toContain(chain[i + 1]);
      expect(touched).toContain(chain[chain.length - 1]);
      expect(affected.via).toHaveLength(expected.get(affected.name) as number);
      expect(affected.reasons).toEqual([{ kind: 'dependency', via: affected.via, source: chain[chain.length - 1] }]);
    }
  });
});
