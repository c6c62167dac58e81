// One Content-Security-Policy (shared/csp.ts) and all of its users agree with it: the Electron shell's
// header, `convoy serve`'s header, and the page's own <meta>, which the Electron window needs because it
// loads the page from file://, where no header brings one. The <meta> is the shell's production policy
// less frame-ancestors (a <meta> cannot carry it); the dev server's adds only the inline React preamble.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build, createServer } from 'vite';
import { securityHeaders } from '../../../electron/transports/ws/ws-server.js';
import { contentSecurityPolicy } from '../../../electron/shell/shell-config.js';
import { CSP_PLACEHOLDER, contentSecurityPolicy as sharedPolicy } from '../../../shared/csp.js';

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
    const meta = sharedPolicy({ forMeta: true });
    expect(meta).toBe(expectedMetaPolicy());
    const policy = directives(meta);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.has('frame-ancestors')).toBe(false);
  });

  it('development: adds only the inline React-refresh preamble', () => {
    const dev = directives(sharedPolicy({ forMeta: true, inlineScripts: true }));
    const prod = directives(expectedMetaPolicy());
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    dev.delete('script-src');
    prod.delete('script-src');
    expect(dev).toEqual(prod);
  });

  it('index.html carries the placeholder the build fills, ahead of every script', () => {
    expect(metaPolicy(fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8'))).toBe(CSP_PLACEHOLDER);
  });

  it('every user agrees with shared/csp.ts: the Electron header, the serve header, the page <meta>', () => {
    // Electron (production): the whole policy, frame-ancestors included.
    expect(contentSecurityPolicy()).toBe(sharedPolicy());
    // `convoy serve`: the same policy, with only its own socket added to connect-src.
    const served = directives(securityHeaders(4321)['Content-Security-Policy']!);
    expect(served.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:4321', 'ws://localhost:4321']);
    served.delete('connect-src');
    const shell = directives(sharedPolicy());
    shell.delete('connect-src');
    expect(served).toEqual(shell);
    // The Electron dev server header: the inline preamble and the HMR socket, nothing else.
    const dev = directives(contentSecurityPolicy('http://localhost:5173/'));
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    // No policy is written anywhere else: the renderer has no .env copy of it any more.
    for (const file of ['.env', '.env.production', '.env.development']) expect(fs.existsSync(path.join(rendererDir, file))).toBe(false);
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
      expect(policy).toBe(sharedPolicy({ forMeta: true, inlineScripts: true }));
      expect(directives(policy).get('script-src')).toContain("'unsafe-inline'");
    } finally {
      await server.close();
    }
  }, 60_000);
});
