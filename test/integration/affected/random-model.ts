// The workspace model behind random-vs-nx.test.ts: a seeded package-based workspace (everything its
// files are rendered from), the renderers for those files, and the DAG invariant the generator keeps.
// The operations that change it live in random-ops.ts, the change sets built from them in
// random-change-sets.ts.
import { createRng, randomDag, rngTools } from '../../bench/synthetic-workspace.js';
import { EXTERNALS, type FileMap } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// The workspace model: everything the files are rendered from, so a change set is a pure function
// of (seed, case number) and can be reproduced without the disk.

export type Flavour = 'plain' | 'analysed';

export interface Pkg {
  name: string;
  /** packages/<name>, or nested inside another package: packages/<parent>/plugins/<name>. */
  dir: string;
  /** DAG order: a package only ever depends on packages of lower rank. */
  rank: number;
  /** Workspace dependencies in package.json. */
  deps: string[];
  /** Static imports in src/index (a dependency only where source files are analysed). */
  imports: string[];
  implicit: string[];
  /** External npm dependencies in package.json (zod, debug). */
  externals: string[];
  edits: number;
  utilRev: number;
  hasUtil: boolean;
  readmeRev: number;
  extraFiles: string[];
}

export interface Model {
  flavour: Flavour;
  seed: number;
  ext: 'js' | 'ts';
  packages: Pkg[];
  rootDeps: Record<string, string>;
  rootDevDeps: Record<string, string>;
  rootScripts: Record<string, string>;
  lockExternals: Record<string, Record<string, unknown>>;
  tsPaths: Record<string, string[]>;
  tsOptions: Record<string, unknown>;
  nxExtra: Record<string, unknown>;
  /** Counters for fresh names. */
  added: number;
  fresh: number;
}

const EXTERNAL_RANGES: Record<string, string> = { zod: '^3.23.8', debug: '^4.3.4', ms: '^2.1.2' };

/** npm workspaces: top-level packages and plugins nested inside them (Nx gives a file to the deepest project). */
const WORKSPACE_GLOBS = ['packages/*', 'packages/*/plugins/*'];

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export function renderPackageJson(m: Model, p: Pkg): Record<string, unknown> {
  const dependencies = sortedRecord({
    ...Object.fromEntries(p.deps.map((d) => [d, '*'])),
    ...Object.fromEntries(p.externals.map((e) => [e, EXTERNAL_RANGES[e] ?? '*'])),
  });
  return {
    name: p.name,
    version: '1.0.0',
    private: true,
    main: `src/index.${m.ext}`,
    ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
    ...(p.implicit.length > 0 ? { nx: { implicitDependencies: [...p.implicit] } } : {}),
  };
}

export function renderIndex(m: Model, p: Pkg): string {
  const lines: string[] = [];
  if (m.ext === 'ts') {
    p.imports.forEach((dep, i) => lines.push(`import { value as v${i} } from '${dep}';`));
    lines.push('', `export const name = '${p.name}';`);
    lines.push('export function value(): number {', `  return [name${p.imports.map((_, i) => `, v${i}()`).join('')}].length;`, '}');
  } else {
    lines.push(`'use strict';`);
    p.imports.forEach((dep, i) => lines.push(`const v${i} = require('${dep}');`));
    lines.push(`exports.name = '${p.name}';`, `exports.value = () => ${p.imports.length + 1};`);
  }
  for (let k = 1; k <= p.edits; k++) lines.push(m.ext === 'ts' ? `export const edit${k} = ${k};` : `exports.edit${k} = ${k};`);
  return `${lines.join('\n')}\n`;
}

export function renderUtil(m: Model, p: Pkg): string {
  return m.ext === 'ts' ? `export const util = '${p.name} util r${p.utilRev}';\n` : `exports.util = '${p.name} util r${p.utilRev}';\n`;
}

export function packageFiles(m: Model, p: Pkg): FileMap {
  const dir = p.dir;
  const files: FileMap = {
    [`${dir}/package.json`]: renderPackageJson(m, p),
    [`${dir}/src/index.${m.ext}`]: renderIndex(m, p),
    [`${dir}/README.md`]: `# ${p.name}\n\nRevision ${p.readmeRev}.\n`,
  };
  if (p.hasUtil) files[`${dir}/src/util.${m.ext}`] = renderUtil(m, p);
  for (const extra of p.extraFiles) files[`${dir}/${extra}`] = `// ${extra}\nexport const extra = '${extra}';\n`;
  return files;
}

export function renderRootPackageJson(m: Model): Record<string, unknown> {
  return {
    name: `random-${m.flavour}`,
    version: '0.0.0',
    private: true,
    workspaces: WORKSPACE_GLOBS,
    scripts: m.rootScripts,
    dependencies: sortedRecord(m.rootDeps),
    devDependencies: sortedRecord(m.rootDevDeps),
  };
}

/** A lockfile (v3) as npm writes it: the root, each workspace package and its link, then the externals. */
export function renderLockfile(m: Model): Record<string, unknown> {
  const entries: Record<string, unknown> = {
    '': {
      name: `random-${m.flavour}`,
      version: '0.0.0',
      workspaces: WORKSPACE_GLOBS,
      dependencies: sortedRecord(m.rootDeps),
      devDependencies: sortedRecord(m.rootDevDeps),
    },
  };
  for (const p of [...m.packages].sort((a, b) => a.dir.localeCompare(b.dir))) {
    const deps = renderPackageJson(m, p).dependencies as Record<string, string> | undefined;
    entries[p.dir] = { name: p.name, version: '1.0.0', ...(deps ? { dependencies: deps } : {}) };
  }
  for (const p of [...m.packages].sort((a, b) => a.name.localeCompare(b.name))) {
    entries[`node_modules/${p.name}`] = { resolved: p.dir, link: true };
  }
  for (const [name, entry] of Object.entries(sortedRecord(m.lockExternals))) entries[`node_modules/${name}`] = entry;
  return { name: `random-${m.flavour}`, version: '0.0.0', lockfileVersion: 3, requires: true, packages: entries };
}

export function renderTsconfig(m: Model): Record<string, unknown> {
  return { compilerOptions: { ...m.tsOptions, baseUrl: '.', paths: sortedRecord(m.tsPaths) } };
}

export function renderNxJson(m: Model): Record<string, unknown> {
  return {
    $schema: './node_modules/nx/schemas/nx-schema.json',
    defaultBase: 'main',
    ...(m.flavour === 'analysed'
      ? { pluginsConfig: { '@nx/js': { analyzeSourceFiles: true, projectsAffectedByDependencyUpdates: 'auto' } } }
      : {}),
    ...m.nxExtra,
  };
}

export function initialModel(flavour: Flavour, seed: number, count: number): Model {
  const r = rngTools(createRng(seed));
  const prefix = flavour === 'plain' ? 'a' : 'b';
  const ext = flavour === 'plain' ? 'js' : 'ts';
  const dag = randomDag(r.rng, count, 3);
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
  const packages: Pkg[] = names.map((name, i) => {
    const deps: string[] = [];
    const imports: string[] = [];
    for (const d of dag[i] ?? []) {
      const dep = names[d] as string;
      if (flavour === 'analysed' && r.chance(0.5)) imports.push(dep);
      else deps.push(dep);
    }
    const externals: string[] = [];
    if (r.chance(0.2)) externals.push('zod');
    if (r.chance(0.12)) externals.push('debug');
    return { name, dir: `packages/${name}`, rank: i, deps, imports, implicit: [], externals, edits: 0, utilRev: 0, hasUtil: true, readmeRev: 0, extraFiles: [] };
  });
  // Some implicit dependencies on lower-ranked packages that are not dependencies already.
  for (const p of packages) {
    if (p.rank < 2 || !r.chance(0.15)) continue;
    const candidates = packages.filter((q) => q.rank < p.rank && !p.deps.includes(q.name) && !p.imports.includes(q.name));
    if (candidates.length > 0) p.implicit.push(r.pick(candidates).name);
  }
  // A few packages live inside another (top-level) one.
  for (const p of r.sample(packages, 3)) {
    const parent = r.pick(packages.filter((q) => q !== p && q.dir === `packages/${q.name}`));
    if (packages.some((q) => q.dir.startsWith(`${p.dir}/`))) continue; // p already holds a nested one
    p.dir = `${parent.dir}/plugins/${p.name}`;
  }
  const tsPaths: Record<string, string[]> = {};
  for (const p of packages) {
    // Every package is mapped where imports are analysed (they resolve through paths); half of them otherwise.
    if (flavour === 'analysed' || r.chance(0.5)) tsPaths[p.name] = [`${p.dir}/src/index.${ext}`];
  }
  return {
    flavour,
    seed,
    ext,
    packages,
    rootDeps: { zod: EXTERNAL_RANGES.zod as string },
    rootDevDeps: { debug: EXTERNAL_RANGES.debug as string },
    rootScripts: { build: 'nx run-many -t build' },
    lockExternals: { ...EXTERNALS },
    tsPaths,
    tsOptions: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', strict: true },
    nxExtra: {},
    added: 0,
    fresh: 0,
  };
}

export function templateFiles(m: Model): FileMap {
  const files: FileMap = {
    'package.json': renderRootPackageJson(m),
    'package-lock.json': renderLockfile(m),
    'tsconfig.base.json': renderTsconfig(m),
    'nx.json': renderNxJson(m),
    'README.md': `# random ${m.flavour} workspace (seed ${m.seed})\n`,
  };
  for (const p of m.packages) Object.assign(files, packageFiles(m, p));
  return files;
}

// ---------------------------------------------------------------------------------------------
// Resolution and the DAG invariant

export const byName = (m: Model, name: string) => m.packages.find((p) => p.name === name);
/**
 * The packages an import specifier can resolve to: the one holding its path mapping's file, and
 * (were the mapping gone) the workspace package it names.
 */
export function importTargets(m: Model, key: string): Pkg[] {
  const file = m.tsPaths[key]?.[0];
  const mapped = file ? [...m.packages].sort((a, b) => b.dir.length - a.dir.length).find((p) => file.startsWith(`${p.dir}/`)) : undefined;
  const named = byName(m, key.split('/')[0] as string);
  return [...new Set([mapped, named].filter((p): p is Pkg => p !== undefined))];
}

/**
 * The generator's promise: the graph stays a DAG (Convoy refuses cycles without allowCycles; these
 * change sets are about the affected rules). Checks every edge against the ranks.
 */
export function assertRankedDag(m: Model, what: string): void {
  for (const p of m.packages) {
    const targets = [
      ...p.deps.map((d) => byName(m, d)),
      ...p.implicit.map((d) => byName(m, d)),
      ...(m.flavour === 'analysed' ? p.imports.flatMap((key) => importTargets(m, key)) : []),
    ].filter((t): t is Pkg => t !== undefined && t !== p);
    const bad = targets.find((t) => t.rank >= p.rank);
    if (bad) throw new Error(`generator bug (${what}): ${p.name} (rank ${p.rank}) depends on ${bad.name} (rank ${bad.rank})`);
  }
}
