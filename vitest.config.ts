import { defineConfig } from 'vitest/config';

// Three projects: Node code (electron/, shared/, the CLI; forks for the native SQLite module), the
// property tests, and DOM code (the renderer, in jsdom). e2e runs in the node project against a real headless server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          // Decides once whether the Docker and Chromium suites run, and says so; then cleans build layers.
          globalSetup: ['test/support/global-availability.ts', 'test/support/global-docker-layers.ts'],
          pool: 'forks',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: ['test/unit/renderer/**', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Property-based tests of the pure core (fast-check): each checks a random input against a plain
        // oracle written in the test; a failure prints the seed to replay (test/property/fc-config.ts).
        test: {
          name: 'property',
          environment: 'node',
          include: ['test/property/**/*.test.ts'],
          setupFiles: ['test/property/fc-config.ts'],
          testTimeout: 30_000,
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
