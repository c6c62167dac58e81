// ESLint flat config. Besides the recommended rules it enforces the layers of docs/architecture.md:
// every folder of electron/, and shared/ and renderer/, says what it may import (the LAYERS table
// below). Bare specifiers are checked with no-restricted-imports; relative paths are resolved against
// the file by the small local rule `convoy/relative-imports-within`, so `../../x` is judged by where it
// really lands, whatever the file's depth. Only electron/app.ts (the composition root) may import
// electron/adapters from outside it; only electron/main and electron/preload may import 'electron'.
// test/unit/lint/ proves every rule fires.
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

const builtinPaths = (message) => NODE_BUILTINS.map((name) => ({ name, message }));
const nodePrefix = (message) => ({ regex: '^node:', message });

const ELECTRON = {
  name: 'electron',
  message: "Only electron/main and electron/preload may import 'electron'; everything else takes Electron-shaped interfaces.",
};

/** Rejects relative imports that resolve outside the given folders (relative to the lint cwd). */
const relativeImportsWithin = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports must stay inside the listed folders' },
    schema: [
      {
        type: 'object',
        properties: { allowed: { type: 'array', items: { type: 'string' } }, layer: { type: 'string' } },
        required: ['allowed'],
        additionalProperties: false,
      },
    ],
    messages: {
      outside: '{{layer}} may not import {{spec}} ({{target}}): relative imports must stay within {{allowed}}.',
    },
  },
  create(context) {
    const { allowed, layer = 'This file' } = context.options[0];
    const root = context.cwd;
    // An entry is a folder or one module (`electron/app.ts`); `./app.js` names the module `app.ts`.
    const withoutExtension = (file) => file.replace(/\.[cm]?[jt]sx?$/, '');
    const roots = allowed.map((entry) => path.resolve(root, entry));
    const filename = context.filename;
    function check(node, source) {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(filename), source.value);
      const inside = roots.some(
        (entry) => target === entry || target.startsWith(entry + path.sep) || withoutExtension(target) === withoutExtension(entry),
      );
      if (!inside) {
        context.report({
          node: source,
          messageId: 'outside',
          data: {
            layer,
            spec: JSON.stringify(source.value),
            target: path.relative(root, target).split(path.sep).join('/'),
            allowed: allowed.map((entry) => (/\.[cm]?[jt]sx?$|\.json$/.test(entry) ? entry : `${entry}/`)).join(', '),
          },
        });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};

const convoy = { rules: { 'relative-imports-within': relativeImportsWithin } };

const TS = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const ALL = ['**/*.{js,mjs,cjs,jsx}', ...TS];

// Libraries that reach the world (engines, clusters, files of the store, Nx): only adapters use them.
const ADAPTER_LIBRARIES = ['dockerode', '@kubernetes/client-node', 'better-sqlite3', 'nx', 'tar-fs', '@balena/dockerignore'];
const ADAPTER_LIBRARY_GROUPS = ['@nx/*', 'nx/*', '@kubernetes/*', 'dockerode/*', 'better-sqlite3/*'];
// Node modules that do I/O. A feature reaches files, processes and the network through ports.
const IO_BUILTINS = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'cluster', 'worker_threads', 'readline'];

const adapterLibraries = (layer) => ({
  paths: ADAPTER_LIBRARIES.map((name) => ({
    name,
    message: `${layer} may not use ${name}: put it behind a port in electron/core/ports, implemented in electron/adapters and chosen in electron/app.ts.`,
  })),
  patterns: [{ group: ADAPTER_LIBRARY_GROUPS, message: `${layer} may not use adapters' libraries: they live in electron/adapters.` }],
});

const CORE_IS_PURE = 'electron/core is pure: reach Node through a port in electron/core/ports, implemented in electron/adapters.';
const FEATURE_IO = 'electron/features reach files, processes and the network through ports (electron/core/ports), so they can be tested with fakes.';
const RENDERER_SANDBOX = 'The renderer runs in a sandboxed page: no Node modules; ask the core through window.convoy.';
const SHARED_EVERYWHERE = 'shared/ runs everywhere (core, renderer, CLI): no Node modules.';
const PRELOAD_SANDBOX = "The sandboxed preload may require only 'electron': keep Node out of it.";

/**
 * The layers: what each folder may import. `allowed` lists where relative imports may land (folders,
 * or single modules such as electron/app.ts); `paths`/`patterns` forbid bare specifiers. A row's
 * `files` are matched in order, later rows winning, so the catch-all row for electron/ holds for a
 * new folder until it gets a row of its own. docs/architecture.md shows the same table.
 */
const LAYERS = [
  {
    layer: 'electron/ (a folder with no row of its own)',
    files: ['electron/**'],
    allowed: ['electron/core', 'shared'],
    ...adapterLibraries('This folder of electron/'),
  },
  {
    layer: 'electron/core',
    files: ['electron/core/**'],
    allowed: ['electron/core', 'shared'],
    paths: [
      ...builtinPaths(CORE_IS_PURE),
      ...['dockerode', '@kubernetes/client-node', 'better-sqlite3', 'nx', 'ws', 'commander', 'react', 'tar-fs', '@balena/dockerignore'].map((name) => ({
        name,
        message: `electron/core may not use ${name}: put it behind a port, implemented in electron/adapters.`,
      })),
    ],
    patterns: [
      nodePrefix(CORE_IS_PURE),
      { group: ADAPTER_LIBRARY_GROUPS, message: "electron/core may not use adapters' libraries." },
      {
        regex: '^(\\.\\./)+(adapters|features|transports|cli|shell|main|preload)(/|$)',
        message: 'electron/core may not depend on adapters, features, transports or entry points; they depend on it.',
      },
      { regex: '^(\\.\\./)+app(-paths)?(\\.[cm]?[jt]s)?$', message: 'electron/core may not import the composition root (electron/app.ts).' },
    ],
  },
  {
    layer: 'electron/adapters',
    files: ['electron/adapters/**'],
    // An adapter may build on another (docker-target on docker, nx on git, targets on docker-target and kube).
    allowed: ['electron/adapters', 'electron/core', 'shared'],
  },
  {
    layer: 'electron/features',
    files: ['electron/features/**'],
    allowed: ['electron/features', 'electron/core', 'shared'],
    paths: [...IO_BUILTINS.flatMap((name) => [{ name, message: FEATURE_IO }, { name: `node:${name}`, message: FEATURE_IO }]), ...adapterLibraries('electron/features').paths],
    patterns: adapterLibraries('electron/features').patterns,
  },
  {
    layer: 'electron/transports',
    files: ['electron/transports/**'],
    allowed: ['electron/transports', 'electron/core', 'shared'],
    ...adapterLibraries('electron/transports'),
  },
  {
    layer: 'electron/cli',
    files: ['electron/cli/**'],
    // The CLI talks to the core through the contract's client over the app's channel; it may use the
    // core's pure helpers (e.g. secret shapes), never an adapter or a feature.
    allowed: ['electron/cli', 'electron/transports', 'electron/core', 'electron/app.ts', 'electron/app-paths.ts', 'electron/version.ts', 'shared'],
    ...adapterLibraries('electron/cli'),
  },
  {
    layer: 'electron/shell',
    files: ['electron/shell/**'],
    allowed: ['electron/shell', 'electron/transports/ipc', 'electron/core', 'shared'],
    ...adapterLibraries('electron/shell'),
  },
  {
    layer: 'electron/main',
    files: ['electron/main/**'],
    electron: true,
    allowed: ['electron/main', 'electron/shell', 'electron/app.ts', 'electron/app-paths.ts', 'shared'],
    ...adapterLibraries('electron/main'),
  },
  {
    layer: 'electron/preload',
    files: ['electron/preload/**'],
    electron: true,
    allowed: ['electron/preload', 'electron/transports/ipc', 'shared'],
    paths: builtinPaths(PRELOAD_SANDBOX),
    patterns: [nodePrefix(PRELOAD_SANDBOX)],
  },
  {
    layer: 'electron/app.ts (the composition root)',
    files: ['electron/app.ts'],
    allowed: ['electron/core', 'electron/adapters', 'electron/features', 'electron/transports', 'electron/version.ts', 'shared'],
  },
  {
    layer: 'electron/app-paths.ts and electron/version.ts',
    files: ['electron/app-paths.ts', 'electron/version.ts'],
    allowed: ['shared', 'package.json'],
    ...adapterLibraries('electron/app-paths.ts and electron/version.ts'),
  },
  {
    layer: 'renderer',
    files: ['renderer/**'],
    allowed: ['renderer', 'shared'],
    paths: builtinPaths(RENDERER_SANDBOX),
    patterns: [
      nodePrefix(RENDERER_SANDBOX),
      { regex: '(^|/)electron(/|$)', message: 'The renderer may not import from electron/: use shared/ and window.convoy.' },
    ],
  },
  {
    layer: 'shared/',
    files: ['shared/**'],
    allowed: ['shared'],
    paths: [
      ...builtinPaths(SHARED_EVERYWHERE),
      ...['react', 'react-dom'].map((name) => ({ name, message: 'shared/ may not use React; it belongs to renderer/.' })),
    ],
    patterns: [
      nodePrefix(SHARED_EVERYWHERE),
      { regex: '^(?!zod(/|$))(?!\\.\\.?/)', message: 'shared/ may import only zod and other files of shared/.' },
      { regex: '(^|/)(electron|renderer)(/|$)', message: 'shared/ may not import from electron/ or renderer/.' },
    ],
  },
];

function layerConfigs() {
  return [
    // 'electron' is allowed in electron/main and electron/preload only, everywhere else included.
    { files: ALL, ignores: ['electron/main/**', 'electron/preload/**'], rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON] }] } },
    ...LAYERS.map(({ layer, files, allowed, electron = false, paths = [], patterns = [] }) => ({
      files,
      rules: {
        'no-restricted-imports': ['error', { paths: [...(electron ? [] : [ELECTRON]), ...paths], patterns }],
        'convoy/relative-imports-within': ['error', { allowed, layer }],
      },
    })),
  ];
}

export default defineConfig([
  {
    ignores: ['dist/**', 'node_modules/**', 'examples/**', 'release/**', 'coverage/**', 'test-results/**', '.nx/**', '.convoy/**', '.stryker-tmp/**', 'reports/**'],
  },
  { files: ALL, ...js.configs.recommended },
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: config.files ?? TS })),
  {
    files: ALL,
    plugins: { convoy },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: TS,
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  ...layerConfigs(),
]);
