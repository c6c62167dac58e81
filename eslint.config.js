// ESLint flat config. Besides the recommended rules it enforces the layers:
//   shared/         → zod and itself only
//   electron/core/  → shared/ and itself only (no Node, no adapters, no Electron)
//   renderer/       → shared/, itself and React (no Node, no Electron, nothing from electron/)
//   'electron'      → only in electron/main/ and electron/preload/
// Bare specifiers are checked with no-restricted-imports; relative paths are resolved against the
// file by the small local rule `convoy/relative-imports-within`, so `../../x` is judged by where it
// really lands, whatever the file's depth. test/unit/lint/layers.test.ts proves the rules fire.
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
    const roots = allowed.map((dir) => path.resolve(root, dir));
    const filename = context.filename;
    function check(node, source) {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(filename), source.value);
      const inside = roots.some((dir) => target === dir || target.startsWith(dir + path.sep));
      if (!inside) {
        context.report({
          node: source,
          messageId: 'outside',
          data: {
            layer,
            spec: JSON.stringify(source.value),
            target: path.relative(root, target).split(path.sep).join('/'),
            allowed: allowed.map((dir) => `${dir}/`).join(', '),
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

export default defineConfig([
  {
    ignores: ['dist/**', 'node_modules/**', 'examples/**', 'release/**', 'coverage/**', 'test-results/**', '.nx/**', '.convoy/**'],
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

  // ---- layers ----
  {
    files: ALL,
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON] }] },
  },
  {
    files: ['electron/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ELECTRON,
            ...builtinPaths('electron/core is pure: reach Node through a port in electron/core/ports, implemented in electron/adapters.'),
            ...['dockerode', '@kubernetes/client-node', 'better-sqlite3', 'nx', 'ws', 'commander', 'react'].map((name) => ({
              name,
              message: `electron/core may not use ${name}: put it behind a port, implemented in electron/adapters.`,
            })),
          ],
          patterns: [
            nodePrefix('electron/core is pure: reach Node through a port in electron/core/ports, implemented in electron/adapters.'),
            { group: ['@nx/*', 'nx/*', '@kubernetes/*', 'dockerode/*', 'better-sqlite3/*'], message: 'electron/core may not use adapters\' libraries.' },
            {
              regex: '^(\\.\\./)+(adapters|server|cli|main|preload|ipc|transports)(/|$)',
              message: 'electron/core may not depend on adapters, transports or entry points; they depend on it.',
            },
            {
              regex: '^(\\.\\./)+app(-paths)?(\\.[cm]?[jt]s)?$',
              message: 'electron/core may not import the composition root (electron/app.ts).',
            },
          ],
        },
      ],
      'convoy/relative-imports-within': ['error', { allowed: ['electron/core', 'shared'], layer: 'electron/core' }],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON, ...builtinPaths('The renderer runs in a sandboxed page: no Node modules; ask the core through window.convoy.')],
          patterns: [
            nodePrefix('The renderer runs in a sandboxed page: no Node modules; ask the core through window.convoy.'),
            { regex: '(^|/)electron(/|$)', message: 'The renderer may not import from electron/: use shared/ and window.convoy.' },
          ],
        },
      ],
      'convoy/relative-imports-within': ['error', { allowed: ['renderer', 'shared'], layer: 'renderer' }],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ELECTRON,
            ...builtinPaths('shared/ runs everywhere (core, renderer, CLI): no Node modules.'),
            ...['react', 'react-dom'].map((name) => ({ name, message: 'shared/ may not use React; it belongs to renderer/.' })),
          ],
          patterns: [
            nodePrefix('shared/ runs everywhere (core, renderer, CLI): no Node modules.'),
            { regex: '^(?!zod(/|$))(?!\\.\\.?/)', message: 'shared/ may import only zod and other files of shared/.' },
            { regex: '(^|/)(electron|renderer)(/|$)', message: 'shared/ may not import from electron/ or renderer/.' },
          ],
        },
      ],
      'convoy/relative-imports-within': ['error', { allowed: ['shared'], layer: 'shared/' }],
    },
  },
]);
