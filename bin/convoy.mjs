#!/usr/bin/env node
// `convoy`: runs the prebuilt bundle (dist/cli, made by `npm ci` and `npm run build:cli`) while it
// matches the sources; otherwise, or with CONVOY_FROM_SOURCE=1, the TypeScript sources through tsx,
// with a one-line note (build/cli-bundle.mjs decides). CONVOY_CLI_BUNDLE=required (set by the test
// suite) turns the fallback into an error, so tests always exercise the bundle.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleState } from '../build/cli-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const state = process.env.CONVOY_FROM_SOURCE === '1' ? { ok: false, reason: 'CONVOY_FROM_SOURCE=1' } : bundleState(root);
let main;
if (state.ok) {
  ({ main } = await import(pathToFileURL(state.entry).href));
} else if (process.env.CONVOY_CLI_BUNDLE === 'required') {
  process.stderr.write(`convoy: ${state.reason}, and CONVOY_CLI_BUNDLE=required — run npm run build:cli\n`);
  process.exit(1);
} else {
  if (process.env.CONVOY_FROM_SOURCE !== '1') process.stderr.write(`convoy: ${state.reason}; running from the sources (slower start) — npm run build:cli rebuilds it\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../electron/cli/main.ts'));
}
await main();
