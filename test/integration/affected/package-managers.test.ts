// Package-based workspaces (no project.json) under pnpm and yarn: Convoy's affected set against the
// real `nx show projects --affected`, as affected-vs-nx.test.ts does for npm workspaces. The
// workspace globs come from pnpm-workspace.yaml (pnpm: the root package.json has no `workspaces`)
// or package.json `workspaces` (yarn); the lockfiles are hand-written in the formats pnpm 9
// (lockfileVersion '9.0'), yarn classic (v1) and yarn 4 (__metadata version 8) write. The
// `projectsAffectedByDependencyUpdates: auto` cases prove nx parsed each one: a lockfile nx cannot
// diff makes every project affected, and those cases expect only the users of the bumped packages.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BUMPED_EXTERNALS,
  EXTERNALS,
  type FileMap,
  type TestWorkspace,
  createWorkspace,
  NODE_MODULES,
  names,
  project,
  removeWorkspaces,
} from './fixtures.js';
import { compare, expectDirect, expectVia, expectWorkspaceCause } from './assertions.js';

const CASE_TIMEOUT = 60_000;

afterAll(() => removeWorkspaces());

// ---------------------------------------------------------------------------------------------
// The packages, the same shape under both package managers (scope and the internal version
// specifier differ):
//
//   web → core → util → npm:zod
//   web → ui ← admin → npm:debug → npm:ms          worker (alone)

interface Pkg {
  dir: string;
  id: string;
  /** Internal dependencies (ids) and external ones (npm names). */
  internal?: string[];
  external?: Record<string, string>;
}

const PKGS: Pkg[] = [
  { dir: 'packages/util', id: 'util', external: { zod: '^3.23.8' } },
  { dir: 'packages/core', id: 'core', internal: ['util'] },
  { dir: 'packages/ui', id: 'ui' },
  { dir: 'apps/web', id: 'web', internal: ['core', 'ui'] },
  { dir: 'apps/admin', id: 'admin', internal: ['ui'], external: { debug: '^4.3.4' } },
  { dir: 'apps/worker', id: 'worker' },
];

function pkgDir(id: string): string {
  return (PKGS.find((p) => p.id === id) as Pkg).dir;
}

/** Every package's package.json and index.js; internal dependencies at `internalSpec`. */
function packageFiles(scope: string, internalSpec: string): FileMap {
  const files: FileMap = {};
  for (const pkg of PKGS) {
    const deps: Record<string, string> = {};
    for (const id of pkg.internal ?? []) deps[`${scope}/${id}`] = internalSpec;
    Object.assign(deps, pkg.external ?? {});
    files[`${pkg.dir}/package.json`] = {
      name: `${scope}/${pkg.id}`,
      version: '1.0.0',
      private: true,
      type: 'module',
      main: 'index.js',
      ...(Object.keys(deps).length > 0 ? { dependencies: deps } : {}),
    };
    files[`${pkg.dir}/index.js`] = `export const ${pkg.id} = '${pkg.id}';\n`;
  }
  return files;
}

function integrity(externals: Record<string, Record<string, unknown>>, name: string): string {
  return (externals[name] as { integrity: string }).integrity;
}

function version(externals: Record<string, Record<string, unknown>>, name: string): string {
  return (externals[name] as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// pnpm: pnpm-workspace.yaml, `workspace:*`, pnpm-lock.yaml v9 (importers + packages + snapshots).

const PN = '@pn';
const PNPM_PROJECTS = PKGS.map((p) => `${PN}/${p.id}`).sort();

function pnpmWorkspaceYaml(globs: string[], extra = ''): string {
  return `packages:\n${globs.map((g) => `  - '${g}'\n`).join('')}${extra}`;
}

/** pnpm-lock.yaml as pnpm 9 writes it for these packages (importers sorted, '.' first). */
function pnpmLock(externals: Record<string, Record<string, unknown>> = EXTERNALS, packages: Pkg[] = PKGS): string {
  const v = (name: string) => version(externals, name);
  const lines: string[] = [
    "lockfileVersion: '9.0'",
    '',
    'settings:',
    '  autoInstallPeers: true',
    '  excludeLinksFromLockfile: false',
    '',
    'importers:',
    '',
    '  .: {}',
  ];
  for (const pkg of [...packages].sort((a, b) => a.dir.localeCompare(b.dir))) {
    const deps: Array<[string, string, string]> = [];
    for (const id of pkg.internal ?? []) {
      const rel = `../../${pkgDir(id)}`;
      deps.push([`'${PN}/${id}'`, 'workspace:*', `link:${rel}`]);
    }
    for (const [name, range] of Object.entries(pkg.external ?? {})) deps.push([name, range, v(name)]);
    lines.push('');
    if (deps.length === 0) {
      lines.push(`  ${pkg.dir}: {}`);
      continue;
    }
    lines.push(`  ${pkg.dir}:`, '    dependencies:');
    for (const [name, specifier, resolved] of deps.sort((a, b) => a[0].replace(/'/g, '').localeCompare(b[0].replace(/'/g, '')))) {
      lines.push(`      ${name}:`, `        specifier: ${specifier}`, `        version: ${resolved}`);
    }
  }
  lines.push(
    '',
    'packages:',
    '',
    `  debug@${v('debug')}:`,
    `    resolution: {integrity: ${integrity(externals, 'debug')}}`,
    "    engines: {node: '>=6.0'}",
    '    peerDependencies:',
    "      supports-color: '*'",
    '    peerDependenciesMeta:',
    '      supports-color:',
    '        optional: true',
    '',
    `  ms@${v('ms')}:`,
    `    resolution: {integrity: ${integrity(externals, 'ms')}}`,
    '',
    `  zod@${v('zod')}:`,
    `    resolution: {integrity: ${integrity(externals, 'zod')}}`,
    '',
    'snapshots:',
    '',
    `  debug@${v('debug')}:`,
    '    dependencies:',
    `      ms: ${v('ms')}`,
    '',
    `  ms@${v('ms')}: {}`,
    '',
    `  zod@${v('zod')}: {}`,
    '',
  );
  return lines.join('\n');
}

/**
 * nx 24's pnpm parser refuses a pnpm-lock.yaml unless node_modules/.modules.yaml exists (the file
 * every pnpm install writes; nx checks only that it is there, see assertPnpmModulesManifest in
 * nx/dist/src/plugins/js/lock-file/utils/pnpm-normalizer.js). The workspace's node_modules is a
 * symlink to this checkout's npm-installed one, which has none: swap it for a real directory of
 * symlinks to the same entries plus a .modules.yaml, as a pnpm install would leave.
 */
function pnpmNodeModules(dir: string): void {
  const target = path.join(dir, 'node_modules');
  fs.rmSync(target, { force: true });
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(NODE_MODULES)) {
    if (entry === '.modules.yaml') continue;
    fs.symlinkSync(path.join(NODE_MODULES, entry), path.join(target, entry), 'dir');
  }
  fs.writeFileSync(
    path.join(target, '.modules.yaml'),
    [
      'hoistPattern:',
      "  - '*'",
      'hoistedDependencies: {}',
      'included:',
      '  dependencies: true',
      '  devDependencies: true',
      '  optionalDependencies: true',
      'layoutVersion: 5',
      'nodeLinker: isolated',
      'packageManager: pnpm@9.15.4',
      'pendingBuilds: []',
      'publicHoistPattern: []',
      'registries:',
      '  default: https://registry.npmjs.org/',
      'skipped: []',
      'storeDir: /tmp/pnpm-store/v3',
      'virtualStoreDir: .pnpm',
      'virtualStoreDirMaxLength: 120',
      '',
    ].join('\n'),
  );
}

function pnpmTemplate(): FileMap {
  return {
    // No `workspaces`: pnpm-workspace.yaml is the only source of the project globs.
    'package.json': { name: 'pn-root', version: '0.0.0', private: true, packageManager: 'pnpm@9.15.4' },
    'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*', 'apps/*']),
    'pnpm-lock.yaml': pnpmLock(),
    'nx.json': { $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' },
    'README.md': '# pn\n',
    ...packageFiles(PN, 'workspace:*'),
  };
}

/** A package under tools/, outside the template's globs, depending on util. */
const TOOLS_CLI: FileMap = {
  'tools/cli/package.json': { name: `${PN}/cli`, version: '1.0.0', private: true, dependencies: { [`${PN}/util`]: 'workspace:*' } },
  'tools/cli/index.js': "export const cli = 'cli';\n",
};

describe('pnpm workspace (pnpm-workspace.yaml, workspace:* versions, pnpm-lock.yaml v9)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('pnpm', pnpmTemplate());
    pnpmNodeModules(ws.dir);
  });
  beforeEach(() => ws.reset());

  it('sees the projects and the workspace:* dependencies from pnpm-workspace.yaml', async () => {
    const graph = await ws.port.open(ws.dir, {});
    expect(graph.projects.map((p) => p.name).sort()).toEqual(PNPM_PROJECTS);
    const deps = Object.fromEntries(graph.projects.map((p) => [p.name, [...p.dependencies]]));
    expect(deps).toEqual({
      '@pn/admin': ['@pn/ui'],
      '@pn/core': ['@pn/util'],
      '@pn/ui': [],
      '@pn/util': [],
      '@pn/web': ['@pn/core', '@pn/ui'],
      '@pn/worker': [],
    });
  }, CASE_TIMEOUT);

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('util', { 'packages/util/index.js': "export const util = 'util v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/core`, `${PN}/util`, `${PN}/web`]);
    expectDirect(set, `${PN}/util`, ['packages/util/index.js']);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-lock.yaml change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'pnpm-lock.yaml': pnpmLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, PNPM_PROJECTS);
    for (const name of PNPM_PROJECTS) expectWorkspaceCause(set, name, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
  }, CASE_TIMEOUT);

  it('a pnpm-lock.yaml change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    // zod (used by util) and ms (used by admin only through debug) move; nx diffs the two lockfiles.
    ws.commit('bump zod and ms in the lockfile', { 'pnpm-lock.yaml': pnpmLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/admin`, `${PN}/core`, `${PN}/util`, `${PN}/web`]);
    expectWorkspaceCause(set, `${PN}/util`, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
    expectWorkspaceCause(set, `${PN}/admin`, 'lockfile pnpm-lock.yaml changed', ['pnpm-lock.yaml']);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);
    expect(names(set)).not.toContain(`${PN}/ui`);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml glob added: the package it covers joins the graph and is affected through its dependency', async () => {
    // tools/cli (depending on util) is committed on main, outside the globs: not a project yet.
    ws.commit('tools/cli outside the workspace', TOOLS_CLI);
    ws.branch('feature');
    const change: FileMap = {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*', 'apps/*', 'tools/*']),
      'packages/util/index.js': "export const util = 'util v2';\n",
    };
    ws.commit('add tools/*; change util', change);

    const expected = [`${PN}/cli`, `${PN}/core`, `${PN}/util`, `${PN}/web`];
    const set = await compare(ws, { base: 'main', head: 'feature' }, expected);
    expectDirect(set, `${PN}/util`, ['packages/util/index.js']);
    // Not touched by the glob change itself (nx judges pnpm-workspace.yaml to touch nothing): a dependent of util.
    expectVia(set, `${PN}/cli`, [`${PN}/util`]);
    expect(project(set, `${PN}/cli`).root).toBe('tools/cli');
    expectVia(set, `${PN}/web`, [`${PN}/core`, `${PN}/util`]);

    // The same change uncommitted, on main: the graph is read from the working tree.
    ws.checkout('main');
    ws.write(change);
    const uncommitted = await compare(ws, { uncommitted: true }, expected);
    expectVia(uncommitted, `${PN}/cli`, [`${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml glob removed: the packages it covered leave the graph', async () => {
    ws.branch('feature');
    ws.commit('drop apps/*; change util', {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*']),
      'packages/util/index.js': "export const util = 'util v2';\n",
    });

    // web depended on core, but apps/web is no longer a project.
    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/core`, `${PN}/util`]);
    expectVia(set, `${PN}/core`, [`${PN}/util`]);
  }, CASE_TIMEOUT);

  it('a pnpm-workspace.yaml change outside the globs (settings, catalog) touches no project', async () => {
    ws.branch('feature');
    ws.commit('pnpm settings; change worker', {
      'pnpm-workspace.yaml': pnpmWorkspaceYaml(
        ['packages/*', 'apps/*'],
        'catalog:\n  zod: ^3.24.0\nonlyBuiltDependencies:\n  - esbuild\n',
      ),
      'apps/worker/index.js': "export const worker = 'worker v2';\n",
    });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/worker`]);
    expect(project(set, `${PN}/worker`).reasons).toEqual([{ kind: 'files', files: ['apps/worker/index.js'], more: 0 }]);
  }, CASE_TIMEOUT);

  it('a new package together with its pnpm-workspace.yaml glob', async () => {
    ws.branch('feature');
    ws.commit('add tools/*', { 'pnpm-workspace.yaml': pnpmWorkspaceYaml(['packages/*', 'apps/*', 'tools/*']), ...TOOLS_CLI });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/cli`]);
    expectDirect(set, `${PN}/cli`, ['tools/cli/index.js', 'tools/cli/package.json']);
  }, CASE_TIMEOUT);

  it('pnpm.overrides in the root package.json affects the projects using the overridden package, through externals', async () => {
    ws.branch('feature');
    ws.editJson('package.json', (json) => {
      json.pnpm = { overrides: { ms: '2.1.3' } };
    });
    ws.commit('override ms');

    // ms is used by admin only through debug.
    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${PN}/admin`]);
    expectWorkspaceCause(set, `${PN}/admin`, 'root package.json changed', ['package.json']);
  }, CASE_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// yarn: package.json `workspaces`, yarn classic (v1) yarn.lock. Classic has no workspace:
// protocol and keeps workspace packages out of the lockfile; internal versions are plain ranges.

const YN = '@yn';
const YARN_PROJECTS = PKGS.map((p) => `${YN}/${p.id}`).sort();

/** yarn.lock (v1) as yarn 1 writes it: externals only, sorted, `dependencies` with quoted versions. */
function yarnLock(externals: Record<string, Record<string, unknown>> = EXTERNALS): string {
  const v = (name: string) => version(externals, name);
  const entry = (key: string, name: string, deps: Record<string, string> = {}) => {
    const out = [
      `${key}:`,
      `  version "${v(name)}"`,
      `  resolved "https://registry.yarnpkg.com/${name}/-/${name}-${v(name)}.tgz"`,
      `  integrity ${integrity(externals, name)}`,
    ];
    if (Object.keys(deps).length > 0) {
      out.push('  dependencies:');
      for (const [dep, range] of Object.entries(deps)) out.push(`    ${dep} "${range}"`);
    }
    return out.join('\n');
  };
  return [
    '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.',
    '# yarn lockfile v1',
    '',
    '',
    entry('debug@^4.3.4', 'debug', { ms: v('ms') }),
    '',
    entry(`ms@${v('ms')}`, 'ms'),
    '',
    entry('zod@^3.23.8', 'zod'),
    '',
  ].join('\n');
}

function yarnTemplate(): FileMap {
  return {
    'package.json': {
      name: 'yn-root',
      version: '0.0.0',
      private: true,
      workspaces: ['packages/*', 'apps/*'],
      packageManager: 'yarn@1.22.22',
    },
    'yarn.lock': yarnLock(),
    'nx.json': { $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' },
    'README.md': '# yn\n',
    ...packageFiles(YN, '*'),
  };
}

describe('yarn workspace (package.json workspaces, yarn.lock v1)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('yarn', yarnTemplate());
  });
  beforeEach(() => ws.reset());

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('ui', { 'packages/ui/index.js': "export const ui = 'ui v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`, `${YN}/ui`, `${YN}/web`]);
    expectDirect(set, `${YN}/ui`, ['packages/ui/index.js']);
    expectVia(set, `${YN}/admin`, [`${YN}/ui`]);
    expectVia(set, `${YN}/web`, [`${YN}/ui`]);
  }, CASE_TIMEOUT);

  it('a yarn.lock change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': yarnLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, YARN_PROJECTS);
    for (const name of YARN_PROJECTS) expectWorkspaceCause(set, name, 'lockfile yarn.lock changed', ['yarn.lock']);
  }, CASE_TIMEOUT);

  it('a yarn.lock change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': yarnLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`, `${YN}/core`, `${YN}/util`, `${YN}/web`]);
    expectWorkspaceCause(set, `${YN}/util`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectWorkspaceCause(set, `${YN}/admin`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectVia(set, `${YN}/web`, [`${YN}/core`, `${YN}/util`]);
    expect(names(set)).not.toContain(`${YN}/ui`);
  }, CASE_TIMEOUT);

  it('resolutions in the root package.json affects the projects using the resolved package, through externals', async () => {
    ws.branch('feature');
    ws.editJson('package.json', (json) => {
      json.resolutions = { ms: '2.1.3' };
    });
    ws.commit('resolve ms');

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YN}/admin`]);
    expectWorkspaceCause(set, `${YN}/admin`, 'root package.json changed', ['package.json']);
  }, CASE_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// yarn berry (4.x): `workspace:*` versions, a yarn.lock with __metadata, workspace entries
// (linkType: soft, skipped by nx) and npm: resolutions with checksums.

const YB = '@yb';
const BERRY_PROJECTS = PKGS.map((p) => `${YB}/${p.id}`).sort();

/** A yarn 4 checksum: cache key 10c0, then a SHA-512 in hex (nx only hashes it). */
function berryChecksum(externals: Record<string, Record<string, unknown>>, name: string): string {
  return `10c0/${Buffer.from(integrity(externals, name).slice('sha512-'.length), 'base64').toString('hex')}`;
}

/** yarn.lock as yarn 4 writes it: every descriptor quoted, entries sorted by key. */
function berryLock(externals: Record<string, Record<string, unknown>> = EXTERNALS): string {
  const v = (name: string) => version(externals, name);
  const entries: Array<[string, string[]]> = [];
  for (const pkg of PKGS) {
    const name = `${YB}/${pkg.id}`;
    const descriptors = [`${name}@workspace:${pkg.dir}`];
    if (PKGS.some((other) => other.internal?.includes(pkg.id))) descriptors.unshift(`${name}@workspace:*`);
    const deps: Array<[string, string]> = [
      ...(pkg.internal ?? []).map((id): [string, string] => [`${YB}/${id}`, 'workspace:*']),
      ...Object.entries(pkg.external ?? {}).map(([dep, range]): [string, string] => [dep, `npm:${range}`]),
    ].sort((a, b) => a[0].localeCompare(b[0]));
    entries.push([
      descriptors.join(', '),
      [
        '  version: 0.0.0-use.local',
        `  resolution: "${name}@workspace:${pkg.dir}"`,
        ...(deps.length > 0 ? ['  dependencies:', ...deps.map(([dep, range]) => `    ${dep.startsWith('@') ? `"${dep}"` : dep}: "${range}"`)] : []),
        '  languageName: unknown',
        '  linkType: soft',
      ],
    ]);
  }
  entries.push([
    'debug@npm:^4.3.4',
    [
      `  version: ${v('debug')}`,
      `  resolution: "debug@npm:${v('debug')}"`,
      '  dependencies:',
      `    ms: "npm:${v('ms')}"`,
      '  peerDependenciesMeta:',
      '    supports-color:',
      '      optional: true',
      `  checksum: ${berryChecksum(externals, 'debug')}`,
      '  languageName: node',
      '  linkType: hard',
    ],
  ]);
  entries.push([
    `ms@npm:${v('ms')}`,
    [`  version: ${v('ms')}`, `  resolution: "ms@npm:${v('ms')}"`, `  checksum: ${berryChecksum(externals, 'ms')}`, '  languageName: node', '  linkType: hard'],
  ]);
  entries.push([
    'yb-root@workspace:.',
    ['  version: 0.0.0-use.local', '  resolution: "yb-root@workspace:."', '  languageName: unknown', '  linkType: soft'],
  ]);
  entries.push([
    'zod@npm:^3.23.8',
    [`  version: ${v('zod')}`, `  resolution: "zod@npm:${v('zod')}"`, `  checksum: ${berryChecksum(externals, 'zod')}`, '  languageName: node', '  linkType: hard'],
  ]);
  entries.sort((a, b) => a[0].localeCompare(b[0]));
  return [
    '# This file is generated by running "yarn install" inside your project.',
    '# Manual changes might be lost - proceed with caution!',
    '',
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10c0',
    '',
    ...entries.flatMap(([key, body]) => [`"${key}":`, ...body, '']),
  ].join('\n');
}

function berryTemplate(): FileMap {
  return {
    'package.json': {
      name: 'yb-root',
      version: '0.0.0',
      private: true,
      workspaces: ['packages/*', 'apps/*'],
      packageManager: 'yarn@4.5.3',
    },
    '.yarnrc.yml': 'nodeLinker: node-modules\n',
    'yarn.lock': berryLock(),
    'nx.json': { $schema: './node_modules/nx/schemas/nx-schema.json', defaultBase: 'main' },
    'README.md': '# yb\n',
    ...packageFiles(YB, 'workspace:*'),
  };
}

describe('yarn berry workspace (workspace:* versions, yarn.lock with __metadata)', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = createWorkspace('yarn-berry', berryTemplate());
  });
  beforeEach(() => ws.reset());

  it('a source change in a lib affects its dependents, with the chain in via', async () => {
    ws.branch('feature');
    ws.commit('util', { 'packages/util/index.js': "export const util = 'util v2';\n" });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YB}/core`, `${YB}/util`, `${YB}/web`]);
    expectDirect(set, `${YB}/util`, ['packages/util/index.js']);
    expectVia(set, `${YB}/web`, [`${YB}/core`, `${YB}/util`]);
  }, CASE_TIMEOUT);

  it('a yarn.lock change affects every project (projectsAffectedByDependencyUpdates: all, the default)', async () => {
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': berryLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, BERRY_PROJECTS);
    for (const name of BERRY_PROJECTS) expectWorkspaceCause(set, name, 'lockfile yarn.lock changed', ['yarn.lock']);
  }, CASE_TIMEOUT);

  it('a yarn.lock change with projectsAffectedByDependencyUpdates: auto affects the users of the changed packages', async () => {
    ws.editJson('nx.json', (json) => {
      json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } };
    });
    ws.commit('lockfile changes: auto');
    ws.branch('feature');
    ws.commit('bump zod and ms in the lockfile', { 'yarn.lock': berryLock(BUMPED_EXTERNALS) });

    const set = await compare(ws, { base: 'main', head: 'feature' }, [`${YB}/admin`, `${YB}/core`, `${YB}/util`, `${YB}/web`]);
    expectWorkspaceCause(set, `${YB}/util`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expectWorkspaceCause(set, `${YB}/admin`, 'lockfile yarn.lock changed', ['yarn.lock']);
    expect(names(set)).not.toContain(`${YB}/ui`);
  }, CASE_TIMEOUT);
});
