// Builds the console renderer (React) into dist/renderer. `base: './'` keeps asset URLs relative, so the
// same build works from file:// in Electron and over http from `convoy serve`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('../renderer/', import.meta.url)),
  base: './',
  plugins: [react()],
  // The renderer imports ../shared; the dev server may read the whole repository, nothing outside it.
  server: { host: '127.0.0.1', fs: { allow: [repoRoot] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
