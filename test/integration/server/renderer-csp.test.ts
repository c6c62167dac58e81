// The renderer page carries its own Content-Security-Policy as a <meta>: the Electron window loads it
// from file://, where no header brings one. The policy is the shell's production policy (less
// frame-ancestors, which a <meta> cannot carry); the dev server's adds only the inline React preamble.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build, createServer, loadEnv } from 'vite';
import { contentSecurityPolicy } from '../../../electron/shell/shell-config.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const rendererDir = path.join(repoRoot, 'renderer');
const configFile = path.join(repoRoot, 'build', 'vite.renderer.config.ts');

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

/** The production policy as a <meta> can carry it. */
function expectedMetaPolicy(): string {
  return contentSecurityPolicy()
    .split('; ')
    .filter((part) => !part.startsWith('frame-ancestors'))
    .join('; ');
}

/** The content of the one CSP <meta>, checking (unless told not to) that it comes before every script and link. */
function metaPolicy(html: string, checkOrder = true): string {
  const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/gi)];
  expect(metas).toHaveLength(1);
  const at = metas[0]!.index;
  if (checkOrder) {
    for (const tag of html.matchAll(/<script\b|<link\b/gi)) expect(tag.index, 'CSP <meta> must precede scripts and links').toBeGreaterThan(at);
  }
  return metas[0]![1]!;
}

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('renderer CSP <meta>', () => {
  it('production: is the shell production policy without frame-ancestors', () => {
    const env = loadEnv('production', rendererDir, 'VITE_');
    expect(env.VITE_CONVOY_CSP).toBe(expectedMetaPolicy());
    const policy = directives(env.VITE_CONVOY_CSP!);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.has('frame-ancestors')).toBe(false);
  });

  it('development: adds only the inline React-refresh preamble', () => {
    const dev = directives(loadEnv('development', rendererDir, 'VITE_').VITE_CONVOY_CSP!);
    const prod = directives(expectedMetaPolicy());
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    dev.delete('script-src');
    prod.delete('script-src');
    expect(dev).toEqual(prod);
  });

  it('index.html takes it from the env, ahead of every script', () => {
    expect(metaPolicy(fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8'))).toBe('%VITE_CONVOY_CSP%');
  });

  it('vite build writes the production policy into dist index.html', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-csp-build-'));
    outDirs.push(outDir);
    await build({ configFile, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    expect(metaPolicy(html)).toBe(expectedMetaPolicy());
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
    // No inline script in the built page: script-src 'self' would refuse it.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  }, 120_000);

  it('the dev server page gets the development policy', async () => {
    const server = await createServer({
      configFile,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, hmr: false, ws: false },
    });
    try {
      const source = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
      const html = await server.transformIndexHtml('/', source);
      // Vite puts its own client script first; it is a 'self' script either way. (HMR is off here so
      // that nothing listens; with it on, plugin-react adds the inline preamble 'unsafe-inline' is for.)
      const policy = metaPolicy(html, false);
      expect(policy).toBe(loadEnv('development', rendererDir, 'VITE_').VITE_CONVOY_CSP);
      expect(directives(policy).get('script-src')).toContain("'unsafe-inline'");
    } finally {
      await server.close();
    }
  }, 60_000);
});
