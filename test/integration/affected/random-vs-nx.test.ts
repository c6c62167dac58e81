// Convoy's affected set against the real `nx show projects --affected` on generated workspaces and
// random change sets (the requirement: equal sets, every time). Two seeded package-based workspaces
// (npm workspaces, a few packages nested inside others, package.json nx.implicitDependencies, a root
// package-lock.json and tsconfig.base.json) with a random DAG — (a) plain: package.json dependencies
// only, lockfile changes affect everything; (b) analysed: static TS imports through tsconfig paths as
// well, lockfile changes judged per package ('auto') — each get a seeded series of change sets
// mixing source edits in several projects, package.json dependency edits, added and deleted
// projects, nx.json, root package.json dependencies, the lockfile, the root tsconfig and
// implicitDependencies, compared as a committed range, against a base that moved on after the
// branch point (merge-base), --uncommitted, and the default mode (base only; committed +
// uncommitted + untracked).
//
// A mismatch prints the seed, the change set, the changed files, both sets and the command that
// reruns just that case. CONVOY_RANDOM_SEEDS (see parseSeeds) and CONVOY_RANDOM_CASES try others.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AffectedQuery } from '../../../electron/core/ports/workspace.js';
import {
  type TestWorkspace,
  convoyAffected,
  createWorkspace,
  nxAffected,
  nxArgs,
  removeWorkspaces,
  writeFiles,
} from './fixtures.js';
import { type ChangeSet, type Mode, describeChangeSet, generateChangeSets } from './random-change-sets.js';
import { type Flavour, assertRankedDag, initialModel, templateFiles } from './random-model.js';
import { type Coverage, TRIGGERS } from './random-ops.js';

const CASE_TIMEOUT = 90_000;

/** Puts the change set into the (reset) workspace and answers the query for it. */
function applyChangeSet(ws: TestWorkspace, cs: ChangeSet): Omit<AffectedQuery, 'dir'> {
  ws.branch('feature');
  if (cs.preOp) ws.commit(`pre: ${cs.preOp.desc}`, cs.preOp.files);
  if (cs.mode === 'range' || cs.mode === 'merge-base') {
    let pending = false;
    cs.steps.forEach((s, i) => {
      if (s.newCommit && pending) {
        ws.commit(`feature ${i}`);
        pending = false;
      }
      writeFiles(ws.dir, s.op.files);
      pending = true;
    });
    if (pending) ws.commit('feature');
    if (cs.mode === 'merge-base') {
      ws.checkout('main');
      for (const op of cs.mainOps) ws.commit(`main: ${op.desc}`, op.files);
      if (!cs.stayOnMain) ws.checkout('feature');
    } else if (cs.stayOnMain) ws.checkout('main');
    const head = cs.headAsSha ? ws.git('rev-parse', 'feature') : 'feature';
    return { base: 'main', head };
  }
  if (cs.mode === 'default') {
    for (const s of cs.steps.filter((step) => step.committed)) writeFiles(ws.dir, s.op.files);
    ws.commit('feature (committed part)');
  }
  for (const s of cs.steps.filter((step) => cs.mode === 'uncommitted' || !step.committed)) {
    writeFiles(ws.dir, s.op.files);
    if (s.staged) stage(ws, Object.keys(s.op.files));
  }
  if (cs.untracked) writeFiles(ws.dir, { [cs.untracked]: `// untracked scratch\nexport const scratch = 1;\n` });
  if (cs.mode === 'uncommitted') return { uncommitted: true };
  return cs.noBase ? {} : { base: 'main' };
}

/** `git add -A` for the paths that exist or are tracked (a file added and deleted again is neither). */
function stage(ws: TestWorkspace, paths: string[]): void {
  const stageable = paths.filter((p) => fs.existsSync(path.join(ws.dir, p)) || ws.git('ls-files', '--', p) !== '');
  if (stageable.length > 0) ws.git('add', '-A', '--', ...stageable);
}

/** The projects on disk (package.json directories under packages/). */
function projectsOnDisk(dir: string): string[] {
  const list = (rel: string) => (fs.existsSync(path.join(dir, rel)) ? fs.readdirSync(path.join(dir, rel)).map((name) => `${rel}/${name}`) : []);
  const dirs = list('packages').flatMap((top) => [top, ...list(`${top}/plugins`)]);
  return dirs
    .filter((rel) => fs.existsSync(path.join(dir, rel, 'package.json')))
    .map((rel) => (JSON.parse(fs.readFileSync(path.join(dir, rel, 'package.json'), 'utf8')) as { name: string }).name)
    .sort();
}

function changedFiles(ws: TestWorkspace, query: Omit<AffectedQuery, 'dir'>): string {
  const parts: string[] = [];
  if (query.head) parts.push(ws.git('diff', '--name-status', '--no-renames', `${query.base ?? 'main'}...${query.head}`));
  else {
    if (!query.uncommitted) parts.push(ws.git('diff', '--name-status', '--no-renames', `${query.base ?? 'main'}...HEAD`));
    parts.push(ws.git('status', '--porcelain', '--untracked-files=all'));
  }
  return parts.filter(Boolean).join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run

interface Outcome {
  id: string;
  mode: Mode;
  coverage: Coverage[];
  nx: number;
  total: number;
  equal: boolean;
}

/**
 * CONVOY_RANDOM_SEEDS: comma-separated `seed`, `flavour:seed` or `flavour:seed:projects` (flavour
 * plain | analysed; a bare seed alternates plain, analysed, …). CONVOY_RANDOM_CASES: cases per seed.
 */
function parseSeeds(raw: string): Array<{ flavour: Flavour; seed: number; projects: number }> {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const parts = entry.split(':');
      const named = parts[0] === 'plain' || parts[0] === 'analysed';
      const flavour: Flavour = named ? (parts[0] as Flavour) : i % 2 === 0 ? 'plain' : 'analysed';
      const seed = Number(named ? parts[1] : parts[0]);
      const projects = Number(named ? parts[2] : parts[1]) || 30 + (seed % 9);
      if (!Number.isInteger(seed) || seed <= 0) throw new Error(`CONVOY_RANDOM_SEEDS: bad entry "${entry}"`);
      return { flavour, seed, projects };
    });
}

const CASES_PER_SEED = Number(process.env.CONVOY_RANDOM_CASES) || 14;
const WORKSPACES = parseSeeds(process.env.CONVOY_RANDOM_SEEDS ?? '');
if (WORKSPACES.length === 0) {
  WORKSPACES.push({ flavour: 'plain', seed: 20240611, projects: 36 }, { flavour: 'analysed', seed: 7331, projects: 32 });
}

const outcomes: Outcome[] = [];

afterAll(() => removeWorkspaces());

for (const spec of WORKSPACES) {
  const model = initialModel(spec.flavour, spec.seed, spec.projects);
  assertRankedDag(model, `seed ${spec.seed}, initial`);
  const changeSets = generateChangeSets(model, spec.seed, CASES_PER_SEED);

  describe(`${spec.flavour} workspace, seed ${spec.seed} (${spec.projects} projects)`, () => {
    let ws: TestWorkspace;
    beforeAll(() => {
      ws = createWorkspace(`random-${spec.flavour}`, templateFiles(model));
    });

    for (const cs of changeSets) {
      it(`case ${cs.index}: ${cs.mode} — ${cs.steps.map((s) => s.op.kind).join(' + ')}`, async () => {
        ws.reset();
        const query = applyChangeSet(ws, cs);
        const nx = nxAffected(ws.dir, nxArgs(query));
        const convoy = await convoyAffected(ws, query);
        const total = projectsOnDisk(ws.dir);
        const equal = JSON.stringify(convoy) === JSON.stringify(nx);
        outcomes.push({ id: `${spec.seed}/${cs.index}`, mode: cs.mode, coverage: cs.coverage, nx: nx.length, total: total.length, equal });
        const report = () =>
          [
            'Convoy and nx disagree. Reproduce with this change set:',
            describeChangeSet(cs),
            `rerun: CONVOY_RANDOM_SEEDS=${spec.flavour}:${spec.seed}:${spec.projects} CONVOY_RANDOM_CASES=${CASES_PER_SEED} ` +
              `npx vitest run test/integration/affected/random-vs-nx.test.ts -t "case ${cs.index}:"`,
            `query: ${JSON.stringify(query)} (nx ${nxArgs(query).join(' ')})`,
            `changed files:\n${changedFiles(ws, query)}`,
            `only nx:     ${nx.filter((n) => !convoy.includes(n)).join(', ') || '-'}`,
            `only Convoy: ${convoy.filter((n) => !nx.includes(n)).join(', ') || '-'}`,
            `nx (${nx.length}):     ${nx.join(' ')}`,
            `Convoy (${convoy.length}): ${convoy.join(' ')}`,
          ].join('\n');
        if (!equal) console.error(report());
        expect(convoy, equal ? '' : report()).toEqual(nx);
        // nx never names a project the workspace does not have.
        expect(nx.filter((n) => !total.includes(n))).toEqual([]);

        // Every few cases: the same answer again from memory, then from a fresh port on the disk cache.
        if (cs.index % 3 === 0) {
          expect(await convoyAffected(ws, query), 'second query on the same port').toEqual(nx);
          ws.freshPort();
          expect(await convoyAffected(ws, query), 'fresh port, graph from the disk cache').toEqual(nx);
        }
      }, CASE_TIMEOUT);
    }
  });
}

describe('across every change set', () => {
  it('covers every workspace-wide trigger at least twice, with non-trivial affected sets, all equal', () => {
    const expectedCases = WORKSPACES.length * CASES_PER_SEED;
    expect(outcomes.length, 'every case ran').toBe(expectedCases);
    const counts = new Map<Coverage, number>();
    for (const o of outcomes) for (const c of o.coverage) counts.set(c, (counts.get(c) ?? 0) + 1);
    const required: Coverage[] = [...TRIGGERS, 'merge-base', 'multi-project'];
    const summary = required.map((c) => `${c}: ${counts.get(c) ?? 0}`).join(', ');
    const modes = ['range', 'merge-base', 'uncommitted', 'default'].map((mode) => `${mode}: ${outcomes.filter((o) => o.mode === mode).length}`).join(', ');
    const empty = outcomes.filter((o) => o.nx === 0).length;
    const everything = outcomes.filter((o) => o.nx === o.total).length;
    const partial = outcomes.length - empty - everything;
    console.log(
      `random vs nx: ${outcomes.filter((o) => o.equal).length}/${outcomes.length} equal; ${modes}; ` +
        `sets: ${empty} empty, ${partial} partial, ${everything} everything; coverage: ${summary}\n` +
        `affected/total per case: ${outcomes.map((o) => `${o.id} ${o.nx}/${o.total}`).join(', ')}`,
    );
    for (const c of required) expect(counts.get(c) ?? 0, `change sets covering ${c}`).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o.mode === 'uncommitted').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o.mode === 'default').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.length).toBeGreaterThanOrEqual(20);
    expect(partial, 'change sets affecting some but not all projects').toBeGreaterThanOrEqual(5);
    expect(everything, 'change sets affecting everything').toBeGreaterThanOrEqual(1);
    expect(outcomes.every((o) => o.equal)).toBe(true);
  });
});
