// The model behind random-vs-nx.test.ts: a seeded package-based workspace (everything its files are
// rendered from) and the random change sets applied to it, pure functions of (seed, case number).
import { type RngTools, createRng, randomDag, rngTools } from '../../bench/synthetic-workspace.js';
import { BUMPED_EXTERNALS, EXTERNALS, type FileMap } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// The workspace model: everything the files are rendered from, so a change set is a pure function
// of (seed, case number) and can be reproduced without the disk.

export type Flavour = 'plain' | 'analysed';

interface Pkg {
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

interface Model {
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

/** An unused package for the lockfile (nx only hashes the integrity). */
const KLEUR = {
  version: '4.1.5',
  resolved: 'https://registry.npmjs.org/kleur/-/kleur-4.1.5.tgz',
  integrity: 'sha512-o+NO+8WrRiQEE4/7nwRJhN1HWpVmJm511pBHUxPLtp0BUISzlBplORYSmTclCnJvQq2tKu/sgl3xVpkc7ZWuQQ==',
  license: 'MIT',
  engines: { node: '>=6' },
};

/** npm workspaces: top-level packages and plugins nested inside them (Nx gives a file to the deepest project). */
const WORKSPACE_GLOBS = ['packages/*', 'packages/*/plugins/*'];

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function renderPackageJson(m: Model, p: Pkg): Record<string, unknown> {
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

function renderIndex(m: Model, p: Pkg): string {
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

function renderUtil(m: Model, p: Pkg): string {
  return m.ext === 'ts' ? `export const util = '${p.name} util r${p.utilRev}';\n` : `exports.util = '${p.name} util r${p.utilRev}';\n`;
}

function packageFiles(m: Model, p: Pkg): FileMap {
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

function renderRootPackageJson(m: Model): Record<string, unknown> {
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
function renderLockfile(m: Model): Record<string, unknown> {
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

function renderTsconfig(m: Model): Record<string, unknown> {
  return { compilerOptions: { ...m.tsOptions, baseUrl: '.', paths: sortedRecord(m.tsPaths) } };
}

function renderNxJson(m: Model): Record<string, unknown> {
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
// Operations: each mutates the model and answers the files it writes (null deletes).

export const TRIGGERS = [
  'source',
  'pkg-deps',
  'add-project',
  'delete-project',
  'nx-json',
  'root-deps',
  'lockfile',
  'tsconfig',
  'implicit',
] as const;
type Trigger = (typeof TRIGGERS)[number];
type OpKind = Trigger | 'root-file' | 'root-scripts';
/** What a change set must cover across the run: every op trigger plus the merge-base and multi-project cases. */
export type Coverage = Trigger | 'merge-base' | 'multi-project';

interface Op {
  kind: OpKind;
  desc: string;
  files: FileMap;
}

type OpFn = (m: Model, r: RngTools) => Op | null;

const byName = (m: Model, name: string) => m.packages.find((p) => p.name === name);
const pkgJsonFile = (m: Model, p: Pkg): FileMap => ({ [`${p.dir}/package.json`]: renderPackageJson(m, p) });
const indexFile = (m: Model, p: Pkg): FileMap => ({ [`${p.dir}/src/index.${m.ext}`]: renderIndex(m, p) });
/**
 * The packages an import specifier can resolve to: the one holding its path mapping's file, and
 * (were the mapping gone) the workspace package it names.
 */
function importTargets(m: Model, key: string): Pkg[] {
  const file = m.tsPaths[key]?.[0];
  const mapped = file ? [...m.packages].sort((a, b) => b.dir.length - a.dir.length).find((p) => file.startsWith(`${p.dir}/`)) : undefined;
  const named = byName(m, key.split('/')[0] as string);
  return [...new Set([mapped, named].filter((p): p is Pkg => p !== undefined))];
}
const dirOf = (m: Model, name: string): string => byName(m, name)?.dir ?? `packages/${name}`;
const topLevel = (m: Model) => m.packages.filter((p) => p.dir === `packages/${p.name}`);
const lowerRanked = (m: Model, p: Pkg) => m.packages.filter((q) => q.rank < p.rank);
const original = (m: Model) => m.packages.filter((p) => Number.isInteger(p.rank));

const OPS: Record<OpKind, OpFn> = {
  source(m, r) {
    const targets = r.sample(m.packages, r.between(1, 3));
    const files: FileMap = {};
    const parts: string[] = [];
    for (const p of targets) {
      const dir = p.dir;
      const variants = ['edit-index', 'add-file', 'readme', ...(p.hasUtil ? ['edit-util', 'delete-util'] : [])];
      if (m.flavour === 'analysed') variants.push('add-import');
      let variant = r.pick(variants);
      if (variant === 'add-import') {
        const candidates = Object.keys(m.tsPaths).filter((key) => {
          const targets = importTargets(m, key);
          return !p.imports.includes(key) && targets.length > 0 && targets.every((t) => t.rank < p.rank);
        });
        if (candidates.length === 0) variant = 'edit-index';
        else {
          const dep = r.pick(candidates);
          p.imports.push(dep);
          Object.assign(files, indexFile(m, p));
          parts.push(`${p.name}: import ${dep}`);
          continue;
        }
      }
      switch (variant) {
        case 'edit-index':
          p.edits++;
          Object.assign(files, indexFile(m, p));
          parts.push(`${p.name}: edit src/index.${m.ext}`);
          break;
        case 'add-file': {
          const file = `src/extra${m.fresh++}.${m.ext}`;
          p.extraFiles.push(file);
          files[`${dir}/${file}`] = `// ${file}\nexport const extra = '${file}';\n`;
          parts.push(`${p.name}: add ${file}`);
          break;
        }
        case 'readme':
          p.readmeRev++;
          files[`${dir}/README.md`] = `# ${p.name}\n\nRevision ${p.readmeRev}.\n`;
          parts.push(`${p.name}: edit README.md`);
          break;
        case 'edit-util':
          p.utilRev++;
          files[`${dir}/src/util.${m.ext}`] = renderUtil(m, p);
          parts.push(`${p.name}: edit src/util.${m.ext}`);
          break;
        default:
          p.hasUtil = false;
          files[`${dir}/src/util.${m.ext}`] = null;
          parts.push(`${p.name}: delete src/util.${m.ext}`);
      }
    }
    return { kind: 'source', desc: `source files: ${parts.join('; ')}`, files };
  },

  'pkg-deps'(m, r) {
    const p = r.pick(m.packages);
    const addable = lowerRanked(m, p).filter((q) => !p.deps.includes(q.name));
    const variants = [
      ...(addable.length > 0 ? ['add', 'add'] : []),
      ...(p.deps.length > 0 ? ['remove'] : []),
      ...(p.externals.length < 2 ? ['add-external'] : []),
      ...(p.externals.length > 0 ? ['remove-external'] : []),
    ];
    if (variants.length === 0) return null;
    let desc: string;
    switch (r.pick(variants)) {
      case 'add': {
        const dep = r.pick(addable).name;
        p.deps.push(dep);
        desc = `${p.name} package.json: + dependency ${dep}`;
        break;
      }
      case 'remove': {
        const dep = r.pick(p.deps);
        p.deps = p.deps.filter((d) => d !== dep);
        desc = `${p.name} package.json: - dependency ${dep}`;
        break;
      }
      case 'add-external': {
        const dep = r.pick(['zod', 'debug'].filter((e) => !p.externals.includes(e)));
        p.externals.push(dep);
        desc = `${p.name} package.json: + dependency ${dep} (npm)`;
        break;
      }
      default: {
        const dep = r.pick(p.externals);
        p.externals = p.externals.filter((e) => e !== dep);
        desc = `${p.name} package.json: - dependency ${dep} (npm)`;
      }
    }
    return { kind: 'pkg-deps', desc, files: pkgJsonFile(m, p) };
  },

  'add-project'(m, r) {
    const anchor = r.pick(m.packages.filter((p) => p.rank >= 1));
    const name = `${m.flavour === 'plain' ? 'a' : 'b'}new${m.added++}`;
    const rank = anchor.rank - 0.5;
    const below = m.packages.filter((q) => q.rank < rank);
    // Sometimes nested inside another package: its files are the new project's, not the parent's.
    const parent = r.chance(0.35) ? r.pick(topLevel(m)) : null;
    const p: Pkg = {
      name,
      dir: parent ? `${parent.dir}/plugins/${name}` : `packages/${name}`,
      rank,
      deps: r.sample(below, r.between(0, 2)).map((q) => q.name),
      imports: [],
      implicit: [],
      externals: r.chance(0.3) ? ['zod'] : [],
      edits: 0,
      utilRev: 0,
      hasUtil: r.chance(0.5),
      readmeRev: 0,
      extraFiles: [],
    };
    m.packages.push(p);
    const files = packageFiles(m, p);
    let desc = `add ${p.dir} (deps: ${p.deps.join(', ') || 'none'})`;
    if (r.chance(0.6)) {
      anchor.deps.push(name);
      Object.assign(files, pkgJsonFile(m, anchor));
      desc += `; ${anchor.name} now depends on it`;
    }
    return { kind: 'add-project', desc, files };
  },

  'delete-project'(m, r) {
    const candidates = original(m);
    if (candidates.length < 3) return null;
    const victim = r.pick(candidates);
    // Its directory goes, with any package nested inside it.
    const gone = new Set(m.packages.filter((p) => p === victim || p.dir.startsWith(`${victim.dir}/`)).map((p) => p.name));
    m.packages = m.packages.filter((p) => !gone.has(p.name));
    const files: FileMap = { [victim.dir]: null };
    const cleaned: string[] = [];
    for (const q of m.packages) {
      let json = false;
      let index = false;
      // An implicit dependency on a missing project is an error in Nx: always drop it.
      if (q.implicit.some((d) => gone.has(d))) {
        q.implicit = q.implicit.filter((d) => !gone.has(d));
        json = true;
      }
      if (q.deps.some((d) => gone.has(d)) && r.chance(0.5)) {
        q.deps = q.deps.filter((d) => !gone.has(d));
        json = true;
      }
      if (q.imports.some((d) => gone.has(d)) && r.chance(0.5)) {
        q.imports = q.imports.filter((d) => !gone.has(d));
        index = true;
      }
      if (json) Object.assign(files, pkgJsonFile(m, q));
      if (index) Object.assign(files, indexFile(m, q));
      if (json || index) cleaned.push(q.name);
    }
    return { kind: 'delete-project', desc: `delete ${victim.dir}${gone.size > 1 ? ` (with ${[...gone].filter((n) => n !== victim.name).join(', ')})` : ''}${cleaned.length ? ` (references dropped in ${cleaned.join(', ')})` : ''}`, files };
  },

  'nx-json'(m, r) {
    const variants: Array<[string, () => void]> = [
      ['targetDefaults.build', () => (m.nxExtra.targetDefaults = { build: { cache: true, dependsOn: ['^build'] } })],
      ['namedInputs', () => (m.nxExtra.namedInputs = { default: ['{projectRoot}/**/*'], production: ['default', '!{projectRoot}/README.md'] })],
      ['parallel', () => (m.nxExtra.parallel = r.between(2, 8))],
      ['targetDefaults.test', () => (m.nxExtra.targetDefaults = { test: { cache: true, inputs: ['default', '^default'] } })],
    ];
    const [what, apply] = r.pick(variants);
    apply();
    return { kind: 'nx-json', desc: `nx.json: ${what}`, files: { 'nx.json': renderNxJson(m) } };
  },

  'root-deps'(m, r) {
    const workspaceDep = r.pick(m.packages).name;
    const variants: Array<[string, () => boolean]> = [
      ['bump zod ^3.23.8 → ^3.24.0', () => ('zod' in m.rootDeps ? ((m.rootDeps.zod = '^3.24.0'), true) : false)],
      ['bump devDependency debug → ^4.3.5', () => ('debug' in m.rootDevDeps ? ((m.rootDevDeps.debug = '^4.3.5'), true) : false)],
      ['add dependency ms', () => (!('ms' in m.rootDeps) ? ((m.rootDeps.ms = '^2.1.2'), true) : false)],
      ['remove dependency zod', () => ('zod' in m.rootDeps ? (delete m.rootDeps.zod, true) : false)],
      [`add dependency on workspace package ${workspaceDep}`, () => (!(workspaceDep in m.rootDeps) ? ((m.rootDeps[workspaceDep] = '*'), true) : false)],
    ];
    for (const [what, apply] of r.shuffle(variants)) {
      if (apply()) return { kind: 'root-deps', desc: `root package.json: ${what}`, files: { 'package.json': renderRootPackageJson(m) } };
    }
    return null;
  },

  lockfile(m, r) {
    const variants: Array<[string, () => boolean]> = [
      ['zod 3.23.8 → 3.24.1', () => (m.lockExternals.zod !== BUMPED_EXTERNALS.zod ? ((m.lockExternals.zod = BUMPED_EXTERNALS.zod as Record<string, unknown>), true) : false)],
      ['ms 2.1.2 → 2.1.3 (through debug)', () => (m.lockExternals.ms !== BUMPED_EXTERNALS.ms ? ((m.lockExternals.ms = BUMPED_EXTERNALS.ms as Record<string, unknown>), true) : false)],
      ['debug integrity only', () => ((m.lockExternals.debug = { ...m.lockExternals.debug, integrity: `sha512-${'Q'.repeat(86)}==` }), true)],
      ['add unused kleur', () => (!('kleur' in m.lockExternals) ? ((m.lockExternals.kleur = KLEUR), true) : false)],
    ];
    for (const [what, apply] of r.shuffle(variants)) {
      if (apply()) return { kind: 'lockfile', desc: `package-lock.json: ${what}`, files: { 'package-lock.json': renderLockfile(m) } };
    }
    return null;
  },

  tsconfig(m, r) {
    const mapped = Object.keys(m.tsPaths).filter((key) => byName(m, key) !== undefined);
    const p = r.pick(m.packages);
    const variants: Array<[string, () => boolean]> = [
      ['strict: false (outside paths)', () => ((m.tsOptions.strict = !m.tsOptions.strict), true)],
      ['target es2023 (outside paths)', () => ((m.tsOptions.target = 'es2023'), true)],
      [`new path ${p.name}/util → its src/util`, () => ((m.tsPaths[`${p.name}/util`] = [`${p.dir}/src/util.${m.ext}`]), true)],
      ['remap a path to its own util', () => {
        if (mapped.length === 0) return false;
        const key = r.pick(mapped);
        m.tsPaths[key] = [`${dirOf(m, key)}/src/util.${m.ext}`];
        return true;
      }],
      ['remap a path into another project', () => {
        if (mapped.length === 0) return false;
        const key = r.pick(mapped);
        // Below every package importing it, so the graph stays a DAG.
        const lowest = Math.min(...m.packages.filter((q) => q.imports.includes(key)).map((q) => q.rank));
        const others = m.packages.filter((q) => q.name !== key && q.rank < lowest);
        if (others.length === 0) return false;
        m.tsPaths[key] = [`${r.pick(others).dir}/src/index.${m.ext}`];
        return true;
      }],
      ['delete a path', () => {
        if (mapped.length === 0) return false;
        delete m.tsPaths[r.pick(mapped)];
        return true;
      }],
    ];
    for (const [what, apply] of r.shuffle(variants)) {
      const before = JSON.stringify(m.tsPaths);
      if (apply()) {
        const detail = JSON.stringify(m.tsPaths) === before ? '' : ` (${diffKeys(JSON.parse(before) as Record<string, string[]>, m.tsPaths)})`;
        return { kind: 'tsconfig', desc: `tsconfig.base.json: ${what}${detail}`, files: { 'tsconfig.base.json': renderTsconfig(m) } };
      }
    }
    return null;
  },

  implicit(m, r) {
    const withImplicit = m.packages.filter((p) => p.implicit.length > 0);
    if (withImplicit.length > 0 && r.chance(0.25)) {
      const p = r.pick(withImplicit);
      const dep = r.pick(p.implicit);
      p.implicit = p.implicit.filter((d) => d !== dep);
      return { kind: 'implicit', desc: `${p.name}: - implicitDependency ${dep}`, files: pkgJsonFile(m, p) };
    }
    for (const p of r.shuffle(m.packages)) {
      const candidates = lowerRanked(m, p).filter((q) => !p.implicit.includes(q.name) && !p.deps.includes(q.name));
      if (candidates.length === 0) continue;
      const dep = r.pick(candidates).name;
      p.implicit.push(dep);
      return { kind: 'implicit', desc: `${p.name}: + implicitDependency ${dep}`, files: pkgJsonFile(m, p) };
    }
    return null;
  },

  'root-file'(m, r) {
    const n = m.fresh++;
    return r.chance(0.5)
      ? { kind: 'root-file', desc: 'edit README.md at the root', files: { 'README.md': `# random ${m.flavour} workspace (seed ${m.seed}), r${n}\n` } }
      : { kind: 'root-file', desc: `add docs/note${n}.md (no project)`, files: { [`docs/note${n}.md`]: `note ${n}\n` } };
  },

  'root-scripts'(m) {
    m.rootScripts = { ...m.rootScripts, [`lint${m.fresh++}`]: 'nx run-many -t lint' };
    return { kind: 'root-scripts', desc: 'root package.json: scripts only', files: { 'package.json': renderRootPackageJson(m) } };
  },
};

function diffKeys(before: Record<string, string[]>, after: Record<string, string[]>): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${before[k]?.join(',') ?? '∅'} → ${after[k]?.join(',') ?? '∅'}`)
    .join('; ');
}

/** Extra operations mixed into a change set, weighted towards the ones that affect part of the graph. */
const EXTRA_WEIGHTS: Record<OpKind, number> = {
  source: 5,
  'pkg-deps': 2,
  implicit: 1.5,
  'root-deps': 1,
  tsconfig: 1,
  'add-project': 1,
  'root-file': 1,
  'root-scripts': 0.5,
  lockfile: 0.5,
  'nx-json': 0.4,
  'delete-project': 0.4,
};

function runOp(m: Model, r: RngTools, kind: OpKind): Op {
  for (let attempt = 0; attempt < 20; attempt++) {
    const op = OPS[kind](m, r);
    if (op) return op;
  }
  throw new Error(`no applicable ${kind} operation`);
}

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

