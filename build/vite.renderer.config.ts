// Builds the console renderer (React) into dist/renderer. `base: './'` keeps asset URLs relative, so the
// same build works from file:// in Electron and over http from `convoy serve`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { type Plugin, defineConfig } from 'vite';
import { CSP_PLACEHOLDER, contentSecurityPolicy } from '../shared/csp.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Writes the page's <meta> Content-Security-Policy (shared/csp.ts) into index.html. The dev server's
 * page also allows inline scripts, for the React-refresh preamble Vite injects; its HMR socket is on
 * the page's own host and port, which 'self' covers.
 */
export function cspMeta(): Plugin {
  let devServer = false;
  return {
    name: 'convoy-csp-meta',
    configResolved(config) {
      devServer = config.command === 'serve';
    },
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(CSP_PLACEHOLDER)) throw new Error(`renderer/index.html lost its CSP placeholder ${CSP_PLACEHOLDER}`);
        return html.replace(CSP_PLACEHOLDER, contentSecurityPolicy({ forMeta: true, inlineScripts: devServer }));
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('../renderer/', import.meta.url)),
  base: './',
  plugins: [cspMeta(), react()],
  // The renderer imports ../shared; the dev server may read the whole repository, nothing outside it.
  server: { host: '127.0.0.1', fs: { allow: [repoRoot] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
