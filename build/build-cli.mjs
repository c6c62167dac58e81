// Bundles the `convoy` CLI with esbuild: electron/cli/main.ts → dist/cli/main.mjs plus chunks, so
// `npx convoy` starts without compiling TypeScript. Run by `npm ci` (the `prepare` script), by
// `npm run build` / `npm run build:cli`, and once at the start of every test run (vitest's global
// setup). What only some commands need is split off and loaded on first use (dynamic import): the
// composition root with SQLite, dockerode and the Kubernetes client, the WebSocket server. Native
// modules and packages that require files at run time stay external (resolved from node_modules).
// Beside the bundle, inputs.json lists every source it was built from; bin/convoy.mjs runs the bundle
// only while all of them are unchanged (build/cli-bundle.mjs). `node build/build-cli.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_DIR, INPUTS_FILE, inputsManifest } from './cli-bundle.mjs';
import { RUNTIME_EXTERNALS } from './runtime-externals.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without dev dependencies: the CLI still runs, from the sources through tsx.
  console.warn('build-cli: esbuild is not installed; the CLI will run from its sources (slower start)');
  process.exit(0);
}

const external = [
  ...RUNTIME_EXTERNALS,
  // Development tools the CLI starts from the checkout when present (the console's build).
  'vite',
  'tsx',
  'tsx/*',
  'esbuild',
];

/** Plain files the bundle reads beside itself: the Nx host is a script forked as a child process. */
const assets = ['electron/adapters/nx/nx-host.cjs', 'electron/adapters/nx/nx-host-versions.cjs'];

const outdir = path.join(root, BUNDLE_DIR);
// Built beside the live bundle and swapped in at the end, so a `convoy` started meanwhile finds the old
// bundle whole or none at all (and then runs from the sources), never half a bundle.
const staging = `${outdir}.${process.pid}.tmp`;
fs.rmSync(staging, { recursive: true, force: true });
const startedAt = Date.now();
const result = await esbuild
  .build({
    absWorkingDir: root,
    entryPoints: { main: path.join(root, 'electron/cli/main.ts') },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    // Flat: every chunk sits in dist/cli/, two folders down like electron/cli/ (electron/cli/repo-root.ts).
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    external,
    // Bundled CommonJS packages call require() for Node's own modules; ESM output has none of its own.
    banner: { js: "import { createRequire as __convoyCreateRequire } from 'node:module'; const require = __convoyCreateRequire(import.meta.url);" },
  })
  .catch(() => null);
if (!result) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error('build-cli: the CLI bundle did not build (errors above); `convoy` will run from its sources');
  process.exit(1);
}

for (const asset of assets) fs.copyFileSync(path.join(root, asset), path.join(staging, path.basename(asset)));
const sources = Object.keys(result.metafile.inputs).filter((file) => !file.split(/[\\/]/).includes('node_modules'));
fs.writeFileSync(path.join(staging, INPUTS_FILE), `${JSON.stringify(inputsManifest(root, [...sources, ...assets], startedAt), null, 1)}\n`);

const retired = `${outdir}.${process.pid}.old`;
if (fs.existsSync(outdir)) fs.renameSync(outdir, retired);
fs.renameSync(staging, outdir);
fs.rmSync(retired, { recursive: true, force: true });
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`build-cli: ${path.relative(root, outdir)}/main.mjs and chunks (${(bytes / 1024).toFixed(0)} KiB) from ${sources.length} source files`);
