// Bundles the Electron main process and the preload script with esbuild:
//   electron/main/index.ts    → dist/electron/main.cjs
//   electron/preload/index.ts → dist/electron/preload.cjs
// Native and heavy packages stay external (resolved from node_modules at run time, rebuilt for
// Electron by electron-builder when packaging). `node build/build-electron.mjs [--watch]`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { RUNTIME_EXTERNALS } from './runtime-externals.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'electron');
const watch = process.argv.includes('--watch');

const external = ['electron', ...RUNTIME_EXTERNALS];

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'info',
  legalComments: 'none',
  external,
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: [path.join(root, 'electron/main/index.ts')],
    outfile: path.join(outdir, 'main.cjs'),
    // CJS has no import.meta: point import.meta.url at the bundle's own file, so code that finds
    // files relative to itself (the preload, dist/renderer) resolves them from dist/electron.
    define: {
      'import.meta.url': '__convoy_import_meta_url',
      'import.meta.dirname': '__dirname',
      'import.meta.filename': '__filename',
    },
    banner: { js: 'const __convoy_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  },
  {
    ...common,
    entryPoints: [path.join(root, 'electron/preload/index.ts')],
    outfile: path.join(outdir, 'preload.cjs'),
    // A sandboxed preload may require only 'electron' (and a few polyfilled modules): keep it
    // self-contained and fail the build if anything else sneaks in.
    external: ['electron'],
    plugins: [
      {
        name: 'preload-only-electron',
        setup(build) {
          build.onResolve({ filter: /^node:|^[^./]/ }, (args) => {
            if (args.kind === 'entry-point' || args.path === 'electron') return undefined;
            return { errors: [{ text: `the sandboxed preload may not import "${args.path}" (only "electron")` }] };
          });
        },
      },
    ],
  },
];

/**
 * Plain files the main bundle starts or reads at run time, copied beside it: the Nx host is a
 * child-process script found next to the code that forks it (electron/adapters/nx/nx-host-client.ts).
 */
const assets = [
  ['electron/adapters/nx/nx-host.cjs', 'nx-host.cjs'],
  // The host's per-major Nx adapters, which it requires from beside itself.
  ['electron/adapters/nx/nx-host-versions.cjs', 'nx-host-versions.cjs'],
];

function copyAssets() {
  fs.mkdirSync(outdir, { recursive: true });
  for (const [from, to] of assets) {
    const source = path.join(root, from);
    if (!fs.existsSync(source)) {
      console.warn(`build-electron: ${from} not found; not copied`);
      continue;
    }
    fs.copyFileSync(source, path.join(outdir, to));
  }
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('watching electron/ for changes…');
} else {
  const results = await Promise.allSettled(builds.map((options) => esbuild.build(options)));
  // esbuild has already printed the errors (logLevel 'info'); only the exit code is left to set.
  if (results.some((result) => result.status === 'rejected')) process.exit(1);
}
