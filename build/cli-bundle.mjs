// Whether the prebuilt CLI bundle (dist/cli/, made by build/build-cli.mjs) may run, decided at every
// start of bin/convoy.mjs. The bundle records each source file it was built from with its size and
// mtime; a missing, changed or removed source makes the bundle stale, and a stale bundle never runs:
// the bin falls back to the sources through tsx and says so in one line. Checking is one stat per
// source file (a few milliseconds), so an edit after `npm ci` can never run yesterday's code silently.
// Plain JavaScript with only node: imports, so it costs nothing to load before the bundle.
import fs from 'node:fs';
import path from 'node:path';

export const BUNDLE_DIR = path.join('dist', 'cli');
export const BUNDLE_ENTRY = 'main.mjs';
/** What the build writes beside the bundle: the format, and per source file its size and mtime. */
export const INPUTS_FILE = 'inputs.json';
export const INPUTS_FORMAT = 1;

/**
 * @param {string} root the checkout
 * @returns {{ ok: true, entry: string } | { ok: false, reason: string }}
 */
export function bundleState(root) {
  const dir = path.join(root, BUNDLE_DIR);
  const entry = path.join(dir, BUNDLE_ENTRY);
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, INPUTS_FILE), 'utf8'));
  } catch {
    return { ok: false, reason: 'the CLI bundle (dist/cli) is missing' };
  }
  if (manifest?.format !== INPUTS_FORMAT || typeof manifest.inputs !== 'object' || manifest.inputs === null || !fs.existsSync(entry)) {
    return { ok: false, reason: 'the CLI bundle (dist/cli) is incomplete' };
  }
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, file));
    } catch {
      return { ok: false, reason: `the CLI bundle is older than the sources (${file} is gone)` };
    }
    if (stat.size !== recorded.size || stat.mtimeMs !== recorded.mtimeMs) {
      return { ok: false, reason: `the CLI bundle is older than the sources (${file} changed)` };
    }
  }
  return { ok: true, entry };
}

/**
 * The manifest for the sources a build read. A file changed while the build ran gets an mtime that can
 * never match, so the bundle counts as stale until the next build.
 * @param {string} root
 * @param {string[]} inputs paths relative to root
 * @param {number} startedAt Date.now() before the build read anything
 */
export function inputsManifest(root, inputs, startedAt) {
  const entries = {};
  for (const file of inputs) {
    const stat = fs.statSync(path.join(root, file));
    entries[file] = { size: stat.size, mtimeMs: stat.mtimeMs >= startedAt ? -1 : stat.mtimeMs };
  }
  return { format: INPUTS_FORMAT, inputs: entries };
}
