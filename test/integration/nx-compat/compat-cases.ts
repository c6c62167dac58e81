// The compatibility workspace and its change kinds, shared by the suite (nx-compat.test.ts) and the
// bench (test/bench/nx-compat.ts): package-based projects (npm workspaces, a lockfile) and
// project.json projects (TypeScript paths, implicitDependencies) in one workspace.
//
//   @acme/web → @acme/core → @acme/util → npm:zod      @acme/admin → @acme/ui, npm:debug → npm:ms
//   @acme/web → @acme/ui;  web-e2e ⇢ @acme/web;  scripts → config (TS path);  @acme/worker (alone)
import type { AffectedQuery } from '../../../electron/core/ports/workspace.js';
import {
  BUMPED_EXTERNALS,
  type FileMap,
  PACKAGES,
  type TestWorkspace,
  packageLock,
  packageTemplate,
  projectJson,
} from '../affected/fixtures.js';

export function compatTemplate(): FileMap {
  return {
    ...packageTemplate(),
    'nx.json': {
      $schema: './node_modules/nx/schemas/nx-schema.json',
      defaultBase: 'main',
      pluginsConfig: { '@nx/js': { analyzeSourceFiles: true } },
    },
    'tsconfig.base.json': {
      compilerOptions: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', baseUrl: '.', paths: { '@acme/config': ['libs/config/src/index.ts'] } },
    },
    'libs/config/project.json': projectJson('config', 'libs/config'),
    'libs/config/src/index.ts': "export const config = { region: 'eu' };\n",
    'tools/scripts/project.json': projectJson('scripts', 'tools/scripts', { tags: ['type:tool'] }),
    'tools/scripts/src/release.ts': "import { config } from '@acme/config';\n\nconsole.log(config);\n",
    'e2e/web-e2e/project.json': projectJson('web-e2e', 'e2e/web-e2e', { implicitDependencies: ['@acme/web'] }),
    'e2e/web-e2e/src/smoke.ts': "export const smoke = 'web loads';\n",
  };
}

export interface ChangeKind {
  name: string;
  /** Puts the workspace (reset to main) in the state to compare; returns the query. */
  apply(ws: TestWorkspace): Omit<AffectedQuery, 'dir'>;
}

const onBranch = (ws: TestWorkspace, message: string, files?: FileMap, edit?: () => void): Omit<AffectedQuery, 'dir'> => {
  ws.branch('feature');
  edit?.();
  ws.commit(message, files);
  return { base: 'main', head: 'feature' };
};

export const CHANGE_KINDS: ChangeKind[] = [
  { name: 'plain file', apply: (ws) => onBranch(ws, 'util', { 'libs/util/index.js': "export const util = 'v2';\n" }) },
  { name: 'deleted file', apply: (ws) => onBranch(ws, 'drop smoke', { 'e2e/web-e2e/src/smoke.ts': null }) },
  {
    name: 'project.json tag edit',
    apply: (ws) => onBranch(ws, 'tag', undefined, () => ws.editJson<{ tags?: string[] }>('libs/config/project.json', (json) => void (json.tags = ['scope:shared']))),
  },
  {
    name: 'nx.json',
    apply: (ws) =>
      onBranch(ws, 'nx.json', undefined, () =>
        ws.editJson('nx.json', (json) => void (json.targetDefaults = { build: { cache: true, dependsOn: ['^build'] } })),
      ),
  },
  {
    name: 'root package.json dependency',
    apply: (ws) =>
      onBranch(ws, 'bump zod', undefined, () =>
        ws.editJson<{ dependencies: Record<string, string> }>('package.json', (json) => void (json.dependencies.zod = '^3.24.0')),
      ),
  },
  { name: 'lockfile', apply: (ws) => onBranch(ws, 'lockfile', { 'package-lock.json': packageLock(PACKAGES, BUMPED_EXTERNALS) }) },
  {
    name: 'root tsconfig',
    apply: (ws) =>
      onBranch(ws, 'tsconfig', undefined, () =>
        ws.editJson<{ compilerOptions: Record<string, unknown> }>('tsconfig.base.json', (json) => void (json.compilerOptions.strict = true)),
      ),
  },
  {
    name: 'implicit dependency',
    apply: (ws) =>
      onBranch(ws, 'scripts needs worker', undefined, () =>
        ws.editJson('tools/scripts/project.json', (json) => void (json.implicitDependencies = ['@acme/worker'])),
      ),
  },
  {
    name: 'new project',
    apply: (ws) =>
      onBranch(ws, 'new lib', {
        'libs/audit/package.json': { name: '@acme/audit', version: '1.0.0', private: true, dependencies: { '@acme/util': '*' } },
        'libs/audit/index.js': "export const audit = 'audit';\n",
      }),
  },
  {
    name: 'uncommitted file',
    apply: (ws) => {
      ws.write({ 'libs/ui/index.js': "export const ui = 'v2';\n" });
      return { uncommitted: true };
    },
  },
  {
    name: 'untracked file',
    apply: (ws) => {
      ws.write({ 'libs/config/src/extra.ts': "export const extra = 1;\n" });
      return { untracked: true };
    },
  },
  {
    name: 'base with uncommitted and untracked',
    apply: (ws) => {
      ws.commit('on main: core', { 'libs/core/index.js': "export const core = 'v2';\n" });
      ws.write({ 'apps/worker/index.js': "export const worker = 'v2';\n", 'tools/scripts/src/new.ts': 'export {};\n' });
      return { base: 'HEAD~1' };
    },
  },
  { name: 'files', apply: () => ({ files: ['libs/ui/index.js', 'nx.json'] }) },
];
