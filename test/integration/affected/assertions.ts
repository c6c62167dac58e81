// Assertions shared by the affected suites: Convoy's answer equals nx's and its reasons hold together.
import { expect } from 'vitest';
import type { AffectedQuery } from '../../../electron/core/ports/workspace.js';
import type { AffectedSet } from '../../../shared/domain.js';
import { type TestWorkspace, convoyAffectedSet, names, nxAffected, nxArgs, project } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// Assertions on the reasons.

/** Direct projects list their causes; dependents name a chain that ends at a directly touched project. */
export function checkReasons(set: AffectedSet): void {
  const direct = new Set(set.projects.filter((p) => p.direct).map((p) => p.name));
  for (const p of set.projects) {
    if (p.direct) {
      if (p.via.length !== 0) throw new Error(`${p.name} is direct but has via ${p.via.join(' ← ')}`);
      if (p.reasons.length === 0) throw new Error(`${p.name} is direct with no reason`);
      if (p.reasons.some((r) => r.kind === 'dependency')) throw new Error(`${p.name} is direct with a dependency reason`);
    } else {
      const source = p.via[p.via.length - 1];
      if (!source || !direct.has(source)) throw new Error(`${p.name}'s chain ${p.via.join(' ← ')} does not end at a touched project`);
      const reason = p.reasons[0];
      if (p.reasons.length !== 1 || reason?.kind !== 'dependency' || reason.source !== source) {
        throw new Error(`${p.name} has unexpected reasons ${JSON.stringify(p.reasons)}`);
      }
      if (!p.explanation.startsWith([p.name, ...p.via].join(' ← '))) throw new Error(`${p.name}: explanation ${p.explanation}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Assertions shared by the comparison suites.

/** The heart of every case: Convoy equals nx, the set is the expected one, the reasons hold together. */
export async function compare(ws: TestWorkspace, query: Omit<AffectedQuery, 'dir'>, expected: string[]): Promise<AffectedSet> {
  const nx = nxAffected(ws.dir, nxArgs(query));
  const set = await convoyAffectedSet(ws, query);
  expect(names(set), `Convoy vs nx show projects --affected ${nxArgs(query).join(' ')}`).toEqual(nx);
  expect(nx, 'nx itself gives the expected set').toEqual([...expected].sort());
  checkReasons(set);
  return set;
}

export function expectDirect(set: AffectedSet, name: string, files: string[]): void {
  const p = project(set, name);
  expect(p.direct).toBe(true);
  expect(p.via).toEqual([]);
  expect(p.files).toEqual([...files].sort());
}

export function expectVia(set: AffectedSet, name: string, via: string[]): void {
  const p = project(set, name);
  expect(p.direct).toBe(false);
  expect(p.via).toEqual(via);
  expect(p.reasons).toEqual([{ kind: 'dependency', via, source: via[via.length - 1] }]);
}

export function expectWorkspaceCause(set: AffectedSet, name: string, cause: string, files: string[]): void {
  const p = project(set, name);
  expect(p.direct).toBe(true);
  expect(p.reasons).toContainEqual({ kind: 'workspace', cause, files });
}
