// The change sets behind random-vs-nx.test.ts: pure functions of (seed, case number) over the
// workspace model (random-model.ts), each a mode (range, merge-base, --uncommitted, default) and a
// shuffled series of operations (random-ops.ts), plus the text a mismatch prints.
import { createRng, rngTools } from '../../bench/synthetic-workspace.js';
import { type Model, assertRankedDag } from './random-model.js';
import { type Coverage, EXTRA_WEIGHTS, type Op, type OpKind, TRIGGERS, type Trigger, runOp } from './random-ops.js';

// ---------------------------------------------------------------------------------------------
// Change sets

export type Mode = 'range' | 'merge-base' | 'uncommitted' | 'default';

interface Step {
  op: Op;
  /** range/merge-base: the commit it goes in; default: committed or left in the working tree; uncommitted: staged or not. */
  committed: boolean;
  /** Starts a new commit (range/merge-base). */
  newCommit: boolean;
  staged: boolean;
}

export interface ChangeSet {
  seed: number;
  index: number;
  mode: Mode;
  steps: Step[];
  /** merge-base: operations committed on main after the branch point. */
  mainOps: Op[];
  /** uncommitted: an operation committed on the feature branch first (seen only through JSON diffs at the merge-base). */
  preOp: Op | null;
  /** default: an untracked file left in the working tree. */
  untracked: string | null;
  headAsSha: boolean;
  /** range/merge-base: leave main checked out (nx and Convoy read the working tree's graph). */
  stayOnMain: boolean;
  /** default: no base at all (nx.json defaultBase). */
  noBase: boolean;
  coverage: Coverage[];
}

export function generateChangeSets(base: Model, seed: number, count: number): ChangeSet[] {
  const r = rngTools(createRng(seed * 7919 + 17));
  const modes: Mode[] = r.shuffle<Mode>([
    'merge-base', 'merge-base', 'merge-base', 'uncommitted', 'uncommitted', 'default', 'default',
    ...Array.from({ length: Math.max(0, count - 7) }, () => 'range' as const),
  ]).slice(0, count);
  const forced: Array<Trigger | 'quiet'> = [];
  while (forced.length < count) forced.push(...r.shuffle(TRIGGERS));
  // One case past the first full round changes nothing Nx counts (root files outside any project,
  // root package.json scripts): the empty set must match too.
  if (count > TRIGGERS.length) forced[TRIGGERS.length + r.int(count - TRIGGERS.length)] = 'quiet';

  return modes.map((mode, index) => {
    const m = structuredClone(base);
    const first = forced[index] as Trigger | 'quiet';
    const quiet = first === 'quiet';
    const kinds: OpKind[] = quiet ? ['root-file', 'root-scripts'] : [first];
    const extras = quiet ? 0 : Number(r.weighted({ 0: 2, 1: 3, 2: 2 } as Record<'0' | '1' | '2', number>));
    for (let i = 0; i < extras; i++) kinds.push(r.weighted(EXTRA_WEIGHTS));
    let preOp: Op | null = null;
    if (mode === 'uncommitted' && !quiet && r.chance(0.6)) preOp = runOp(m, r, r.pick(['source', 'pkg-deps', 'root-deps'] as const));
    const steps: Step[] = r.shuffle(kinds).map((kind, i) => ({
      op: runOp(m, r, kind),
      committed: mode === 'default' ? r.chance(0.5) : true,
      newCommit: i === 0 || r.chance(0.4),
      staged: r.chance(0.5),
    }));
    assertRankedDag(m, `seed ${seed}, case ${index}`);
    const mainOps: Op[] = [];
    if (mode === 'merge-base') {
      const mainModel = structuredClone(base);
      mainModel.fresh = 1000; // fresh file names distinct from the feature's
      for (let i = 0, n = r.between(1, 2); i < n; i++) {
        mainOps.push(runOp(mainModel, r, r.pick(['source', 'source', 'nx-json', 'root-deps', 'lockfile', 'tsconfig', 'pkg-deps'] as const)));
      }
    }
    let untracked: string | null = null;
    if (mode === 'default') {
      untracked = quiet ? 'docs/scratch-notes.md' : r.chance(0.8) ? `${r.pick(m.packages).dir}/src/scratch.${m.ext}` : 'scratch-notes.md';
    }
    const opFiles = steps.flatMap((s) => Object.keys(s.op.files));
    const owners = [...base.packages, ...m.packages].map((p) => p.dir).sort((a, b) => b.length - a.length);
    const projectsTouched = new Set(opFiles.map((f) => owners.find((d) => f === d || f.startsWith(`${d}/`))).filter(Boolean));
    const coverage = new Set<Coverage>(steps.map((s) => s.op.kind).filter((k): k is Trigger => (TRIGGERS as readonly string[]).includes(k)));
    if (mode === 'merge-base') coverage.add('merge-base');
    if (projectsTouched.size >= 2) coverage.add('multi-project');
    return {
      seed,
      index,
      mode,
      steps,
      mainOps,
      preOp,
      untracked,
      headAsSha: (mode === 'range' || mode === 'merge-base') && r.chance(0.3),
      stayOnMain: (mode === 'range' || mode === 'merge-base') && r.chance(0.2),
      noBase: mode === 'default' && r.chance(0.4),
      coverage: [...coverage].sort(),
    };
  });
}

export function describeChangeSet(cs: ChangeSet): string {
  const lines = [`seed ${cs.seed}, case ${cs.index}: mode ${cs.mode}${cs.headAsSha ? ', head as a sha' : ''}${cs.stayOnMain ? ', main checked out' : ''}${cs.noBase ? ', no base' : ''}`];
  if (cs.preOp) lines.push(`  committed first on feature: ${cs.preOp.desc}`);
  cs.steps.forEach((s, i) => {
    const where =
      cs.mode === 'uncommitted' ? (s.staged ? 'staged' : 'unstaged') : cs.mode === 'default' ? (s.committed ? 'committed' : s.staged ? 'staged' : 'unstaged') : s.newCommit ? 'new commit' : 'same commit';
    lines.push(`  ${i + 1}. [${s.op.kind}, ${where}] ${s.op.desc}`);
  });
  for (const op of cs.mainOps) lines.push(`  on main after the branch point: ${op.desc}`);
  if (cs.untracked) lines.push(`  untracked: ${cs.untracked}`);
  return lines.join('\n');
}
