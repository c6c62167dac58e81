// The package-based workspaces of package-managers.test.ts: the same six packages under pnpm (9),
// yarn classic (1) and yarn berry (4), with hand-written lockfiles in each tool's format, and the
// pieces the tests edit (bumped lockfiles, pnpm-workspace.yaml, a package outside the globs).
import fs from 'node:fs';
import path from 'node:path';
import { EXTERNALS, type FileMap, NODE_MODULES } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// The packages, the same shape under both package managers (scope and the internal version
// specifier differ):
//
//   web → core → util → npm:zod
//   web → ui ← admin → npm:debug → npm:ms          worker (alone)

export interface Pkg {
  dir: string;
  id: string;
  /** Internal dependencies (ids) and external ones (npm names). */
  internal?: string[];
  external?: Record<string, string>;
}

export const PKGS: Pkg[] = [
  { dir: 'packages/util', id: 'util', external: { zod: '^3.23.8' } },
  { dir: 'packages/core', id: 'core', internal: ['util'] },
  { dir: 'packages/ui', id: 'ui' },
  { dir: 'apps/web', id: 'web', internal: ['core', 'ui'] },
  { dir: 'apps/admin', id: 'admin', internal: ['ui'], external: { debug: '^4.3.4' } },
  { dir: 'apps/worker', id: 'worker' },
];

export function pkgDir(id: string): string {
  return (PKGS.find((p) => p.id === id) as Pkg).dir;
}

/** Every package's package.json and index.js; internal dependencies at `internalSpec`. */
export function packageFiles(scope: string, internalSpec: string): FileMap {
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

export function integrity(externals: Record<string, Record<string, unknown>>, name: string): string {
  return (externals[name] as { integrity: string }).integrity;
}

export function version(externals: Record<string, Record<string, unknown>>, name: string): string {
  return (externals[name] as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// pnpm: pnpm-workspace.yaml, `workspace:*`, pnpm-lock.yaml v9 (importers + packages + snapshots).

export const PN = '@pn';
export const PNPM_PROJECTS = PKGS.map((p) => `${PN}/${p.id}`).sort();

export function pnpmWorkspaceYaml(globs: string[], extra = ''): string {
  return `packages:\n${globs.map((g) => `  - '${g}'\n`).join('')}${extra}`;
}

/** pnpm-lock.yaml as pnpm 9 writes it for these packages (importers sorted, '.' first). */
export function pnpmLock(externals: Record<string, Record<string, unknown>> = EXTERNALS, packages: Pkg[] = PKGS): string {
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
export function pnpmNodeModules(dir: string, from: string = NODE_MODULES): void {
  const target = path.join(dir, 'node_modules');
  fs.rmSync(target, { force: true });
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(from)) {
    if (entry === '.modules.yaml') continue;
    fs.symlinkSync(path.join(from, entry), path.join(target, entry), 'dir');
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

export function pnpmTemplate(): FileMap {
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
export const TOOLS_CLI: FileMap = {
  'tools/cli/package.json': { name: `${PN}/cli`, version: '1.0.0', private: true, dependencies: { [`${PN}/util`]: 'workspace:*' } },
  'tools/cli/index.js': "export const cli = 'cli';\n",
};

// ---------------------------------------------------------------------------------------------
// yarn: package.json `workspaces`, yarn classic (v1) yarn.lock. Classic has no workspace:
// protocol and keeps workspace packages out of the lockfile; internal versions are plain ranges.

export const YN = '@yn';
export const YARN_PROJECTS = PKGS.map((p) => `${YN}/${p.id}`).sort();

/** yarn.lock (v1) as yarn 1 writes it: externals only, sorted, `dependencies` with quoted versions. */
export function yarnLock(externals: Record<string, Record<string, unknown>> = EXTERNALS): string {
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

export function yarnTemplate(): FileMap {
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

// ---------------------------------------------------------------------------------------------
// yarn berry (4.x): `workspace:*` versions, a yarn.lock with __metadata, workspace entries
// (linkType: soft, skipped by nx) and npm: resolutions with checksums.

export const YB = '@yb';
export const BERRY_PROJECTS = PKGS.map((p) => `${YB}/${p.id}`).sort();

/** A yarn 4 checksum: cache key 10c0, then a SHA-512 in hex (nx only hashes it). */
export function berryChecksum(externals: Record<string, Record<string, unknown>>, name: string): string {
  return `10c0/${Buffer.from(integrity(externals, name).slice('sha512-'.length), 'base64').toString('hex')}`;
}

/** yarn.lock as yarn 4 writes it: every descriptor quoted, entries sorted by key. */
export function berryLock(externals: Record<string, Record<string, unknown>> = EXTERNALS): string {
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

export function berryTemplate(): FileMap {
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
