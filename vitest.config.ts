import { defineConfig } from 'vitest/config';

// Two projects: Node code (electron/, shared/, the CLI; forks for the native SQLite module) and
// DOM code (the renderer, in jsdom). e2e runs in the node project against a real headless server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          globalSetup: ['test/support/global-cli-bundle.ts', 'test/support/global-docker-layers.ts'],
          pool: 'forks',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: ['test/unit/renderer/**', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['test/unit/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/unit/renderer/setup.ts'],
          testTimeout: 15_000,
        },
      },
    ],
  },
});
