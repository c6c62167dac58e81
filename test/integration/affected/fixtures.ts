// Real git workspaces for the affected tests: two templates (npm workspaces; project.json with
// implicitDependencies and TS path imports), git helpers, the real `nx show projects --affected` and
// Convoy's answer for the same query. Workspaces live in os.tmpdir(); call removeWorkspaces() in afterAll.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AffectedProject, AffectedSet } from '../../../shared/domain.js';
import type { AffectedQuery } from '../../../electron/core/ports/workspace.js';
import { nxWorkspace } from '../../support/nx-workspace.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The Convoy checkout these tests run from (three levels above this file). */
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

/** Path → content: a string as is, anything else as pretty JSON; null deletes the path. */
export type FileMap = Record<string, string | object | null>;

const created: string[] = [];
const ports: Array<{ close(): void }> = [];

/** Env for git and nx: no inherited affected refs, no git overrides from the outer repo. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('GIT_') || key === 'NX_BASE' || key === 'NX_HEAD' || key === 'NX_WORKSPACE_ROOT_PATH') delete env[key];
  }
  return { ...env, ...extra };
}

const GIT_ENV = cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' });
const NX_ENV = cleanEnv({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_VERBOSE_LOGGING: 'false' });

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function writeFiles(dir: string, files: FileMap): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    if (content === null) {
      fs.rmSync(file, { recursive: true, force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

export interface TestWorkspace {
  dir: string;
  /** Convoy's graph cache for this workspace. */
  cacheDir: string;
  /** The commit the template was committed as, on main. */
  initial: string;
  /** Convoy's workspace port over Nx, shared by every query on this workspace (as the app does). */
  port: ReturnType<typeof nxWorkspace>;
  git(...args: string[]): string;
  write(files: FileMap): void;
  read(rel: string): string;
  readJson<T = Record<string, unknown>>(rel: string): T;
  /** Edits a JSON file in place; T names the part of its shape the edit touches. */
  editJson<T extends object = Record<string, unknown>>(rel: string, edit: (json: T) => void): void;
  /** Writes the files (if any), stages everything and commits; returns the new HEAD. */
  commit(message: string, files?: FileMap): string;
  /** `git checkout -b name` (from `from`, else the current HEAD). */
  branch(name: string, from?: string): void;
  checkout(ref: string): void;
  head(): string;
  /** Back to main at the initial commit: no other branches, no uncommitted or untracked files. */
  reset(): void;
  /** Closes the port and makes a fresh one with the same cache dir (nothing in memory, the disk cache intact). */
  freshPort(): ReturnType<typeof nxWorkspace>;
}

/** `nodeModules`: the node_modules the workspace links to (default: this checkout's, with its nx). */
export function createWorkspace(name: string, template: FileMap, nodeModules: string = NODE_MODULES): TestWorkspace {
  const base = tempDir(name);
  const dir = path.join(base, 'ws');
  const cacheDir = path.join(base, 'cache');
  fs.mkdirSync(dir);
  writeFiles(dir, template);
  // nx (the CLI and the one Convoy resolves from the workspace) comes from this checkout.
  fs.symlinkSync(nodeModules, path.join(dir, 'node_modules'), 'dir');
  git(dir, 'init', '-q', '-b', 'main');
  // Untracked without a tracked .gitignore: the symlink, and nx's own cache and workspace data.
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  const initial = git(dir, 'rev-parse', 'HEAD');

  let port = nxWorkspace({ cacheDir });
  ports.push(port);
  const ws: TestWorkspace = {
    dir,
    cacheDir,
    initial,
    get port() {
      return port;
    },
    git: (...args) => git(dir, ...args),
    write: (files) => writeFiles(dir, files),
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
    readJson: <T>(rel: string) => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as T,
    editJson<T extends object>(rel: string, edit: (json: T) => void) {
      const json = JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as T;
      edit(json);
      writeFiles(dir, { [rel]: json });
    },
    commit(message, files) {
      if (files) writeFiles(dir, files);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '--allow-empty', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
    branch(branchName, from) {
      git(dir, 'checkout', '-q', '-b', branchName, ...(from ? [from] : []));
    },
    checkout(ref) {
      git(dir, 'checkout', '-q', ref);
    },
    head: () => git(dir, 'rev-parse', 'HEAD'),
    reset() {
      git(dir, 'checkout', '-q', '-f', 'main');
      git(dir, 'reset', '-q', '--hard', initial);
      // -x: ignored files too, except nx's own (node_modules is the symlink; .nx holds nx's caches).
      git(dir, 'clean', '-q', '-fdx', '-e', 'node_modules', '-e', '.nx');
      for (const branchName of git(dir, 'branch', '--format=%(refname:short)').split('\n')) {
        if (branchName && branchName !== 'main') git(dir, 'branch', '-q', '-D', branchName);
      }
    },
    freshPort() {
      port.close();
      port = nxWorkspace({ cacheDir });
      ports.push(port);
      return port;
    },
  };
  return ws;
}

/** A fresh empty directory in os.tmpdir(), removed by removeWorkspaces(). */
export function tempDir(name: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `convoy-affected-${name}-`)));
  created.push(dir);
  return dir;
}

/** Stops every Nx host and removes every workspace and temp dir made here. For afterAll. */
export function removeWorkspaces(): void {
  for (const port of ports.splice(0)) port.close();
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs the real nx CLI: `nx show projects --affected <args> --json`, sorted. */
export function nxAffected(dir: string, args: string[]): string[] {
  const bin = path.join(dir, 'node_modules', '.bin', 'nx');
  const result = spawnSync(process.execPath, [bin, 'show', 'projects', '--affected', ...args, '--json'], {
    cwd: dir,
    env: NX_ENV,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`nx show projects --affected ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`);
  }
  // --json prints one array; anything else nx prints (notes, warnings) is on other lines.
  const line = result.stdout.split('\n').find((l) => l.trim().startsWith('['));
  if (!line) throw new Error(`nx printed no JSON array:\n${result.stdout}\n${result.stderr}`);
  return (JSON.parse(line) as string[]).sort();
}

/** nx CLI arguments for the same query Convoy gets. */
export function nxArgs(query: Omit<AffectedQuery, 'dir'>): string[] {
  return [
    ...(query.base ? [`--base=${query.base}`] : []),
    ...(query.head ? [`--head=${query.head}`] : []),
    ...(query.uncommitted ? ['--uncommitted'] : []),
    ...(query.untracked ? ['--untracked'] : []),
    ...(query.files ? [`--files=${query.files.join(',')}`] : []),
  ];
}

export async function convoyAffectedSet(ws: TestWorkspace, query: Omit<AffectedQuery, 'dir'>): Promise<AffectedSet> {
  return ws.port.affected({ dir: ws.dir, ...query }, {});
}

/** Convoy's affected project names for the query, sorted. */
export async function convoyAffected(ws: TestWorkspace, query: Omit<AffectedQuery, 'dir'>): Promise<string[]> {
  return names(await convoyAffectedSet(ws, query));
}

export function names(set: AffectedSet): string[] {
  return set.projects.map((p) => p.name).sort();
}

export function project(set: AffectedSet, name: string): AffectedProject {
  const found = set.projects.find((p) => p.name === name);
  if (!found) throw new Error(`${name} is not in the affected set: ${names(set).join(', ')}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Template (a): package-based — npm workspaces, no project.json. Dependencies are package.json
// dependencies; zod and debug (→ ms) are external packages, pinned by a package-lock.json (v3).
//
//   @acme/web → @acme/core → @acme/util → npm:zod
//   @acme/web → @acme/ui ← @acme/admin → npm:debug → npm:ms          @acme/worker (alone)

// Lockfile entries as npm writes them. The integrity strings are well-formed but not the registry's:
// nx only hashes them.
function npmEntry(name: string, version: string, integrity: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
    integrity: `sha512-${integrity}`,
    license: 'MIT',
    ...extra,
  };
}

/** The external packages: zod (used by @acme/util) and debug → ms (used by @acme/admin). */
export const EXTERNALS: Record<string, Record<string, unknown>> = {
  debug: npmEntry('debug', '4.3.4', 'CFjzYYAi4ThfiQvizrFQevTTXHtnCqWfe7x1AhgEscTz6ZbLbfoLRLPugTQyBth6f8ZERVUSyWHFD/7Wu4t1XQ==', {
    dependencies: { ms: '2.1.2' },
    engines: { node: '>=6.0' },
  }),
  ms: npmEntry('ms', '2.1.2', 'sOGKXnxnEYBJzq/I9ABHCqTZTy1RhwMoN/BXAS1gJEWi6DgSWvhCEAxqxr4q1NWm3eOpGRq5ubJgnnHmfQ2vTw=='),
  zod: npmEntry('zod', '3.23.8', 'XBx9AXhXktjUqnepgTiE5flcKIYWi/rme0Eaj+5Y0lftuGBq+jyRu/md4WnuxqgP1ubdpNCsYEYPxrzVHD8d6g==', {
    funding: { url: 'https://github.com/sponsors/colinhacks' },
  }),
};

/** zod 3.23.8 → 3.24.1 and ms 2.1.2 → 2.1.3 (a transitive dependency, through debug). */
export const BUMPED_EXTERNALS: Record<string, Record<string, unknown>> = {
  ...EXTERNALS,
  ms: npmEntry('ms', '2.1.3', '6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=='),
  zod: npmEntry('zod', '3.24.1', 'muH7gBL9sI1nciMZV67X5fTKKBLtwpZ5VBp1vsOQzj1MhrBZ4wlVCm3gedKZWLp0Oyel8sIGfeiz54Su+OVT+A==', {
    funding: { url: 'https://github.com/sponsors/colinhacks' },
  }),
};

interface PackageSpec {
  dir: string;
  name: string;
  deps?: Record<string, string>;
}

export const PACKAGES: PackageSpec[] = [
  { dir: 'libs/util', name: '@acme/util', deps: { zod: '^3.23.8' } },
  { dir: 'libs/core', name: '@acme/core', deps: { '@acme/util': '*' } },
  { dir: 'libs/ui', name: '@acme/ui' },
  { dir: 'apps/web', name: '@acme/web', deps: { '@acme/core': '*', '@acme/ui': '*' } },
  { dir: 'apps/admin', name: '@acme/admin', deps: { '@acme/ui': '*', debug: '^4.3.4' } },
  { dir: 'apps/worker', name: '@acme/worker' },
];

export function packageJson(spec: PackageSpec): Record<string, unknown> {
  return {
    name: spec.name,
    version: '1.0.0',
    private: true,
    type: 'module',
    main: 'index.js',
    ...(spec.deps ? { dependencies: spec.deps } : {}),
  };
}

/** A lockfile (v3) as `npm install` writes it for these packages: workspace entries and links, then the externals. */
export function packageLock(packages: PackageSpec[], externals: Record<string, Record<string, unknown>> = EXTERNALS): Record<string, unknown> {
  const entries: Record<string, unknown> = {
    '': { name: 'acme', version: '0.0.0', workspaces: ['libs/*', 'apps/*'], dependencies: { zod: '^3.23.8' } },
  };
  for (const spec of [...packages].sort((a, b) => a.dir.localeCompare(b.dir))) {
    entries[spec.dir] = { name: spec.name, version: '1.0.0', ...(spec.deps ? { dependencies: spec.deps } : {}) };
  }
  for (const spec of [...packages].sort((a, b) => a.name.localeCompare(b.name))) {
    entries[`node_modules/${spec.name}`] = { resolved: spec.dir, link: true };
  }
  for (const [name, entry] of Object.entries(externals)) entries[`node_modules/${name}`] = entry;
  return { name: 'acme', version: '0.0.0', lockfileVersion: 3, requires: true, packages: entries };
}

export function packageTemplate(): FileMap {
  const files: FileMap = {
    'package.json': {
      name: 'acme',
      version: '0.0.0',
      private: true,
      workspaces: ['libs/*', 'apps/*'],
      dependencies: { zod: '^3.23.8' },
    },
    'nx.json': { $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' },
    'package-lock.json': packageLock(PACKAGES),
    'README.md': '# acme\n',
  };
  for (const spec of PACKAGES) {
    files[`${spec.dir}/package.json`] = packageJson(spec);
    const id = spec.name.split('/')[1] as string;
    files[`${spec.dir}/index.js`] = `export const ${id} = '${id}';\n`;
  }
  return files;
}

export const PACKAGE_PROJECTS = PACKAGES.map((p) => p.name).sort();

// ---------------------------------------------------------------------------------------------
// Template (b): project.json-based. Static dependencies come from TypeScript imports through the
// root tsconfig.base.json `paths` (nx's built-in JS analysis, switched on by
// pluginsConfig["@nx/js"] — @nx/js itself is not installed), plus implicitDependencies.
//
//   portal → data → shared;  portal → ui;  portal-e2e ⇢ portal;  docs ⇢ ui;  scripts (alone)
//   (→ static import, ⇢ implicitDependencies)

export function projectJson(name: string, root: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    sourceRoot: `${root}/src`,
    projectType: root.startsWith('apps/') ? 'application' : 'library',
    targets: {},
    ...extra,
  };
}

export const TS_PATHS: Record<string, string[]> = {
  '@b/shared': ['libs/shared/src/index.ts'],
  '@b/data': ['libs/data/src/index.ts'],
  '@b/ui': ['libs/ui/src/index.ts'],
};

export function projectJsonTemplate(): FileMap {
  return {
    'package.json': { name: 'b-root', version: '0.0.0', private: true },
    'nx.json': {
      $schema: './node_modules/nx/schemas/nx-schema.json',
      defaultBase: 'main',
      pluginsConfig: { '@nx/js': { analyzeSourceFiles: true } },
    },
    'tsconfig.base.json': {
      compilerOptions: {
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        strict: true,
        baseUrl: '.',
        paths: TS_PATHS,
      },
    },
    'libs/shared/project.json': projectJson('shared', 'libs/shared'),
    'libs/shared/src/index.ts': "export const shared = 'shared';\n",
    'libs/data/project.json': projectJson('data', 'libs/data'),
    'libs/data/src/index.ts': "import { shared } from '@b/shared';\n\nexport const data = `data:${shared}`;\n",
    'libs/ui/project.json': projectJson('ui', 'libs/ui'),
    'libs/ui/src/index.ts': "export const button = '<button>';\n",
    'apps/portal/project.json': projectJson('portal', 'apps/portal'),
    'apps/portal/src/main.ts': "import { data } from '@b/data';\nimport { button } from '@b/ui';\n\nconsole.log(data, button);\n",
    'apps/portal-e2e/project.json': projectJson('portal-e2e', 'apps/portal-e2e', { implicitDependencies: ['portal'] }),
    'apps/portal-e2e/src/smoke.ts': "export const smoke = 'portal loads';\n",
    'apps/docs/project.json': projectJson('docs', 'apps/docs', { implicitDependencies: ['ui'] }),
    'apps/docs/src/index.ts': "export const docs = 'docs';\n",
    'tools/scripts/project.json': projectJson('scripts', 'tools/scripts'),
    'tools/scripts/src/release.ts': "export const release = 'release';\n",
    'README.md': '# b\n',
  };
}

export const PROJECT_JSON_PROJECTS = ['data', 'docs', 'portal', 'portal-e2e', 'scripts', 'shared', 'ui'];
