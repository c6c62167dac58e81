// The operations behind random-vs-nx.test.ts's change sets: each mutates the workspace model
// (random-model.ts) and answers the files it writes (null deletes); runOp retries one until it
// applies, EXTRA_WEIGHTS says how often each is mixed into a change set (random-change-sets.ts).
import type { RngTools } from '../../bench/synthetic-workspace.js';
import { BUMPED_EXTERNALS, type FileMap } from './fixtures.js';
import {
  type Model,
  type Pkg,
  byName,
  importTargets,
  packageFiles,
  renderIndex,
  renderLockfile,
  renderNxJson,
  renderPackageJson,
  renderRootPackageJson,
  renderTsconfig,
  renderUtil,
} from './random-model.js';

/** An unused package for the lockfile (nx only hashes the integrity). */
const KLEUR = {
  version: '4.1.5',
  resolved: 'https://registry.npmjs.org/kleur/-/kleur-4.1.5.tgz',
  integrity: 'sha512-o+NO+8WrRiQEE4/7nwRJhN1HWpVmJm511pBHUxPLtp0BUISzlBplORYSmTclCnJvQq2tKu/sgl3xVpkc7ZWuQQ==',
  license: 'MIT',
  engines: { node: '>=6' },
};

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
export type Trigger = (typeof TRIGGERS)[number];
export type OpKind = Trigger | 'root-file' | 'root-scripts';
/** What a change set must cover across the run: every op trigger plus the merge-base and multi-project cases. */
export type Coverage = Trigger | 'merge-base' | 'multi-project';

export interface Op {
  kind: OpKind;
  desc: string;
  files: FileMap;
}

type OpFn = (m: Model, r: RngTools) => Op | null;

const pkgJsonFile = (m: Model, p: Pkg): FileMap => ({ [`${p.dir}/package.json`]: renderPackageJson(m, p) });
const indexFile = (m: Model, p: Pkg): FileMap => ({ [`${p.dir}/src/index.${m.ext}`]: renderIndex(m, p) });
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
export const EXTRA_WEIGHTS: Record<OpKind, number> = {
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

export function runOp(m: Model, r: RngTools, kind: OpKind): Op {
  for (let attempt = 0; attempt < 20; attempt++) {
    const op = OPS[kind](m, r);
    if (op) return op;
  }
  throw new Error(`no applicable ${kind} operation`);
}
