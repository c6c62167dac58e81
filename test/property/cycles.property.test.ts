// findCycles against a plain oracle: a project is on a cycle exactly when it can reach itself, two
// projects share a strongly connected component when each reaches the other, and the shortest cycle
// through a project is found by a breadth-first search of distances.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { findCycles, type CycleProject } from '../../electron/core/cycles.js';

/** Up to 8 projects with random edges, some to names that are not projects (external nodes). */
const graphs = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc
    .array(fc.tuple(fc.nat(n - 1), fc.nat(n + 1)), { maxLength: n * 3 })
    .map((edges): CycleProject[] =>
      Array.from({ length: n }, (_, i) => ({
        name: `p${i}`,
        dependencies: edges.filter(([from]) => from === i).map(([, to]) => (to < n ? `p${to}` : `npm:ext${to}`)),
      })),
    ),
);

function edgesOf(projects: readonly CycleProject[]): Map<string, string[]> {
  const names = new Set(projects.map((p) => p.name));
  return new Map(projects.map((p) => [p.name, p.dependencies.filter((d) => names.has(d))]));
}

/** Every project reachable in one or more steps. */
function reachable(edges: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(edges.get(from) ?? [])];
  while (todo.length > 0) {
    const node = todo.pop() as string;
    if (seen.has(node)) continue;
    seen.add(node);
    todo.push(...(edges.get(node) ?? []));
  }
  return seen;
}

/** Length (in edges) of the shortest cycle through `start` that stays inside `members`. */
function shortestCycleLength(edges: Map<string, string[]>, start: string, members: Set<string>): number {
  const distance = new Map<string, number>([[start, 0]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of edges.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) return (distance.get(node) as number) + 1;
      if (!distance.has(next)) {
        distance.set(next, (distance.get(node) as number) + 1);
        queue.push(next);
      }
    }
  }
  return Infinity;
}

describe('findCycles (property)', () => {
  test.prop([graphs])('reports exactly one shortest closed path per cyclic component, starting at its first name', (projects) => {
    const edges = edgesOf(projects);
    const reach = new Map(projects.map((p) => [p.name, reachable(edges, p.name)]));
    const cyclic = projects.map((p) => p.name).filter((name) => reach.get(name)?.has(name));
    // The components with a cycle, each as its set of members (mutual reachability).
    const components = new Map<string, Set<string>>();
    for (const name of cyclic) {
      const members = new Set(cyclic.filter((other) => other === name || (reach.get(name)?.has(other) && reach.get(other)?.has(name))));
      components.set([...members].sort()[0] as string, members);
    }

    const cycles = findCycles(projects);
    expect(cycles.map((c) => c[0]).sort()).toEqual([...components.keys()].sort());
    for (const cycle of cycles) {
      const start = cycle[0] as string;
      const members = components.get(start) as Set<string>;
      expect(cycle[cycle.length - 1]).toBe(start);
      for (let i = 0; i + 1 < cycle.length; i++) {
        expect(members.has(cycle[i] as string)).toBe(true);
        expect(edges.get(cycle[i] as string)).toContain(cycle[i + 1]);
      }
      expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
      expect(cycle.length - 1).toBe(shortestCycleLength(edges, start, members));
    }
  });

  test.prop([graphs])('does not depend on the order projects are listed in', (projects) => {
    expect(findCycles([...projects].reverse())).toEqual(findCycles(projects));
  });
});
