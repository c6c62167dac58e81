// The CLI bundle (dist/cli, rebuilt by the test run's global setup) loads only what a command needs:
// starting it (--help, --version) loads neither the contract's schemas (zod) nor any adapter, and
// opening the app loads neither dockerode nor the Kubernetes client; they come with the first call
// that needs them (an unchanged build needs neither: its engine calls are plain HTTP). Read from the bundle's own static imports, chunk by chunk.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'cli');

/** Every file a chunk loads before it runs (its static imports, transitively), with its text. */
function staticClosure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = fs.readFileSync(path.join(DIST, file), 'utf8');
    seen.set(file, text);
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"\.\/([^"]+)"/gms)) visit(match[1]!);
  };
  visit(entry);
  return seen;
}

function packagesIn(closure: Map<string, string>): Set<string> {
  const found = new Set<string>();
  for (const text of closure.values()) {
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^".][^"]*)"/gms)) found.add(match[1]!);
    // Bundled packages keep their path in esbuild's comments: `// node_modules/zod/v4/core/core.js`.
    for (const match of text.matchAll(/^\/\/ (?:[^\n]*\/)?node_modules\/((?:@[^/\n]+\/)?[^/\n]+)\//gm)) found.add(match[1]!);
  }
  return found;
}

describe('the CLI bundle loads lazily', () => {
  it('the entry (enough for --help and --version) has no schemas, no store and no engine client', () => {
    const packages = packagesIn(staticClosure('main.mjs'));
    expect(packages.has('commander')).toBe(true);
    for (const heavy of ['zod', 'better-sqlite3', 'dockerode', '@kubernetes/client-node', 'ws', 'yaml']) expect(packages.has(heavy), heavy).toBe(false);
  });

  it('the app (every command that opens it) has the store but neither dockerode nor the Kubernetes client', () => {
    const app = fs.readdirSync(DIST).find((file) => /^app-[A-Z0-9]+\.mjs$/.test(file));
    expect(app).toBeDefined();
    const packages = packagesIn(staticClosure(app!));
    expect(packages.has('better-sqlite3')).toBe(true);
    expect(packages.has('zod')).toBe(true);
    for (const heavy of ['dockerode', '@kubernetes/client-node', 'ws']) expect(packages.has(heavy), heavy).toBe(false);
  });

  it('the image builder and the engine status load dockerode only for a build or a test run', () => {
    for (const prefix of ['image-builder', 'docker-engine']) {
      const chunk = fs.readdirSync(DIST).find((file) => new RegExp(`^${prefix}-[A-Z0-9]+\\.mjs$`).test(file));
      expect(chunk, prefix).toBeDefined();
      expect(packagesIn(staticClosure(chunk!)).has('dockerode'), prefix).toBe(false);
    }
  });
});
