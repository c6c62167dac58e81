// A synthetic package-based Nx workspace for the affected benchmark: N npm-workspace packages
// (packages/p0000 …) whose package.json dependencies form a seeded random DAG, committed on `main`,
// plus a `feature` branch whose one commit touches a handful of source files in a few mid-level
// packages. Deterministic for a given (projects, seed, maxDepsPerProject).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SyntheticOptions {
  projects: number;
  seed: number;
  maxDepsPerProject: number;
}

export interface SyntheticWorkspace {
  dir: string;
  projects: string[];
  /** Each package's direct dependencies (package names). */
  dependencies: Record<string, string[]>;
  /** The packages whose files the feature commit touches. */
  touchedProjects: string[];
  /** The files the feature commit touches (workspace-relative). */
  touchedFiles: string[];
  /** The affected set implied by the generated DAG (touched packages and their transitive dependents), sorted. */
  expectedAffected: string[];
}

/** This repository's node_modules, found relative to this file (test/bench/ → repo root). */
export const REPO_NODE_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function packageName(index: number): string {
  return `p${String(index).padStart(4, '0')}`;
}

const FIXED_DATE = '2024-01-01T00:00:00Z';

function git(dir: string, args: string[]): string {
  return execFileSync(
    'git',
    [
      '-c', 'user.name=Convoy Bench',
      '-c', 'user.email=bench@convoy.invalid',
      '-c', 'commit.gpgsign=false',
      '-c', 'core.hooksPath=/dev/null',
      '-c', 'init.defaultBranch=main',
      ...args,
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_AUTHOR_DATE: FIXED_DATE, GIT_COMMITTER_DATE: FIXED_DATE },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

function indexSource(name: string, deps: readonly string[]): string {
  const requires = deps.map((dep, i) => `const d${i} = require('${dep}');\n`).join('');
  const calls = deps.map((_, i) => `d${i}.value()`).join(', ');
  return (
    `'use strict';\n` +
    requires +
    `\nexports.name = '${name}';\n` +
    `exports.value = function value() {\n  return [${JSON.stringify(name)}${deps.length > 0 ? `, ${calls}` : ''}].length;\n};\n`
  );
}

/** Every package that depends on `start`, transitively, plus `start` itself. */
function dependentsClosure(start: number, dependents: readonly number[][]): Set<number> {
  const seen = new Set<number>([start]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const next of dependents[queue[i] as number] ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/**
 * Writes the workspace into `dir` (created; must be empty or absent) and returns its shape.
 * Files are written with fs, then one `git add -A` and one commit per branch.
 */
export function generateWorkspace(dir: string, options: SyntheticOptions): SyntheticWorkspace {
  const { projects: count, seed, maxDepsPerProject } = options;
  if (!Number.isInteger(count) || count < 2) throw new Error(`projects must be an integer ≥ 2 (got ${count})`);
  const rng = createRng(seed);
  const int = (maxExclusive: number) => Math.floor(rng() * maxExclusive);

  // The DAG: each package depends on 0..maxDepsPerProject distinct lower-numbered packages.
  const deps: number[][] = [];
  const dependents: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < count; i++) {
    const want = Math.min(i, int(maxDepsPerProject + 1));
    const chosen = new Set<number>();
    while (chosen.size < want) chosen.add(int(i));
    const list = [...chosen].sort((a, b) => a - b);
    deps.push(list);
    for (const dep of list) dependents[dep]?.push(i);
  }

  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
  const write = (rel: string, content: string) => fs.writeFileSync(path.join(dir, rel), content);

  write(
    'package.json',
    `${JSON.stringify({ name: 'convoy-bench-workspace', version: '0.0.0', private: true, workspaces: ['packages/*'] }, null, 2)}\n`,
  );
  write('nx.json', `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' }, null, 2)}\n`);
  fs.mkdirSync(path.join(dir, 'packages'));
  const names = Array.from({ length: count }, (_, i) => packageName(i));
  for (let i = 0; i < count; i++) {
    const name = names[i] as string;
    const depNames = (deps[i] as number[]).map((d) => names[d] as string);
    const pkgDir = path.join('packages', name);
    fs.mkdirSync(path.join(dir, pkgDir, 'src'), { recursive: true });
    const pkg = {
      name,
      version: '0.0.0',
      private: true,
      main: 'src/index.js',
      dependencies: Object.fromEntries(depNames.map((dep) => [dep, '*'])),
    };
    write(path.join(pkgDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    write(path.join(pkgDir, 'src', 'index.js'), indexSource(name, depNames));
  }

  fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  git(dir, ['init', '-q', '-b', 'main']);
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), '\nnode_modules\n.nx\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `synthetic workspace: ${count} packages (seed ${seed})`]);

  // The feature branch: a few mid-level packages (each with a modest dependents closure, so the
  // affected set is tens to hundreds of projects) get a handful of source edits and one new file.
  // (In a random DAG like this the closure shrinks fast with the index: p0020 reaches hundreds,
  // p1000 a handful, so "mid-level" is chosen by closure size, not by position alone.)
  const lo = Math.max(1, Math.floor(count * 0.05));
  const hi = Math.max(lo + 1, Math.floor(count * 0.5));
  const minClosure = Math.max(4, Math.floor(count / 80));
  const maxClosure = Math.max(8, Math.floor(count / 10));
  const candidates: number[] = [];
  for (let i = lo; i < hi; i++) {
    const size = dependentsClosure(i, dependents).size;
    if (size >= minClosure && size <= maxClosure) candidates.push(i);
  }
  const pool = candidates.length >= 3 ? candidates : Array.from({ length: hi - lo }, (_, k) => lo + k);
  const picked = new Set<number>();
  const wanted = Math.min(3, pool.length);
  while (picked.size < wanted) picked.add(pool[int(pool.length)] as number);
  const touchedIdx = [...picked].sort((a, b) => a - b);

  git(dir, ['checkout', '-q', '-b', 'feature']);
  const touchedFiles: string[] = [];
  touchedIdx.forEach((idx, k) => {
    const name = names[idx] as string;
    const index = `packages/${name}/src/index.js`;
    fs.appendFileSync(path.join(dir, index), `\nexports.feature = ${k + 1};\n`);
    touchedFiles.push(index);
    if (k === 0) {
      const extra = `packages/${name}/src/feature.js`;
      write(extra, `'use strict';\nexports.enabled = true;\n`);
      touchedFiles.push(extra);
      const readme = `packages/${name}/README.md`;
      write(readme, `# ${name}\n\nNow with a feature.\n`);
      touchedFiles.push(readme);
    }
  });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `feature: touch ${touchedIdx.map((i) => names[i]).join(', ')}`]);

  const affected = new Set<number>();
  for (const idx of touchedIdx) for (const a of dependentsClosure(idx, dependents)) affected.add(a);

  return {
    dir,
    projects: names,
    dependencies: Object.fromEntries(names.map((name, i) => [name, (deps[i] as number[]).map((d) => names[d] as string)])),
    touchedProjects: touchedIdx.map((i) => names[i] as string),
    touchedFiles: touchedFiles.sort(),
    expectedAffected: [...affected].map((i) => names[i] as string).sort(),
  };
}

/** Small helpers over a PRNG from createRng: integers, choices, shuffles, samples. */
export interface RngTools {
  rng: () => number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An integer in [min, max], both included. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** One key, drawn with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

export function rngTools(rng: () => number): RngTools {
  const int = (maxExclusive: number) => Math.floor(rng() * maxExclusive);
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  return {
    rng,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => rng() < probability,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
    shuffle,
    sample: (items, count) => shuffle(items).slice(0, Math.max(0, count)),
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as Array<[K, number]>;
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let roll = rng() * total;
      for (const [key, weight] of entries) {
        roll -= weight;
        if (roll < 0) return key;
      }
      return (entries[entries.length - 1] as [K, number])[0];
    },
  };
}

/**
 * A seeded random DAG over `count` nodes: node i depends on 0..maxDepsPerNode distinct
 * lower-numbered nodes (sorted), drawn as generateWorkspace draws its packages' dependencies.
 */
export function randomDag(rng: () => number, count: number, maxDepsPerNode: number): number[][] {
  const deps: number[][] = [];
  for (let i = 0; i < count; i++) {
    const want = Math.min(i, Math.floor(rng() * (maxDepsPerNode + 1)));
    const chosen = new Set<number>();
    while (chosen.size < want) chosen.add(Math.floor(rng() * i));
    deps.push([...chosen].sort((a, b) => a - b));
  }
  return deps;
}
