import { execFileSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

// The Kubernetes suites that also run against a real control plane (test/kube-cluster).
const KUBE_SUITES = [
  'test/integration/kube/**/*.test.ts',
  'test/integration/kube-cluster/**/*.test.ts',
  'test/integration/target-ops/**/*.test.ts',
  'test/integration/release/release-kube.test.ts',
  'test/integration/release/faults-kube-pods.test.ts',
  'test/integration/release/release-registry-pull.test.ts',
  'test/integration/port-contracts/deploy-target-kube.test.ts',
];

/**
 * The real control plane is a second backend whenever it can be built: Go on the PATH (the first run
 * builds it once per machine). CONVOY_KUBE_CLUSTER=0 leaves it out outside CI; under CI=true it is
 * always in, so a control plane that cannot start fails the run rather than skipping it. Against a
 * user's own cluster (CONVOY_TEST_KUBECONFIG) the node project already runs these suites there.
 */
function controlPlaneWanted(): boolean {
  if (process.env.CI === 'true') return true;
  if (process.env.CONVOY_KUBE_CLUSTER === '0' || process.env.CONVOY_TEST_KUBECONFIG) return false;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Projects: Node code (electron/, shared/, the CLI; forks for the native SQLite module), the property
// tests, DOM code (the renderer, in jsdom), and the Kubernetes suites again on a real control plane. e2e runs in the
// node project against a real headless server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          // Decides once whether the Docker, Chromium and registry suites run, and says so; builds the
          // CLI bundle; then cleans build layers.
          globalSetup: ['test/support/global-availability.ts', 'test/support/global-cli-bundle.ts', 'test/support/global-docker-layers.ts'],
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
      ...(controlPlaneWanted()
        ? [
            {
              test: {
                name: 'kube-control-plane',
                environment: 'node',
                // The availability decision too: kube suites that also use Docker or the registry inject it.
                globalSetup: ['test/support/global-availability.ts', 'test/support/global-kube-cluster.ts'],
                pool: 'forks' as const,
                include: KUBE_SUITES,
                env: { CONVOY_TEST_BACKEND: 'control-plane' },
                testTimeout: 120_000,
                // The first run on a machine builds the control plane before the first file starts.
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
    ],
  },
});
