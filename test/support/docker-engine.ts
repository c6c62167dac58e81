// Is there a Docker Engine for the tests? Decided once for the whole run by the global setup
// (test/support/global-availability.ts), injected here, so a suite can be skipped at collection time.
// Without an engine, Docker suites skip on a developer machine (the run says so, loudly) but FAIL when
// the CI environment variable is set, so CI cannot go green by silently skipping them.
import Docker from 'dockerode';
import { inject } from 'vitest';
import { dockerOptions } from '../../electron/adapters/docker/docker-engine.js';
import { type Availability, skipsDocker } from './availability.js';

/** The run's decision; missing only when a vitest config forgot the global setup. */
export function availability(): Availability {
  const provided = inject('convoyAvailability');
  if (!provided) {
    throw new Error('No Docker/Chromium decision was provided: run these tests through vitest.config.ts (its global setup test/support/global-availability.ts decides once per run)');
  }
  return provided;
}

const decided = availability();

export const endpoint = decided.docker.endpoint;

/** A client for setup and cleanup in tests (short timeout: tests never wait on a hung engine). */
export const docker = new Docker({ ...dockerOptions(endpoint), timeout: 5_000 });

/** null when the engine answered the run's ping, else why not. */
export const unreachable: string | null = decided.docker.unreachable;

export const inCI = decided.ci;

/** For `describe.skipIf(skipDocker)`. */
export const skipDocker = skipsDocker(decided);

/** Call first in a Docker suite's beforeAll: under CI an unreachable engine fails the suite. */
export function requireDocker(): void {
  if (unreachable !== null) {
    throw new Error(
      `CI is set (CI=${process.env.CI}) but the Docker Engine at ${endpoint} is not reachable: ${unreachable}. ` +
        'These tests must not be skipped in CI: start dockerd (bash .ci/run does) or point DOCKER_HOST at a running engine.',
    );
  }
}

/**
 * Remembers which tags of these repositories exist now; the returned function removes the tags made
 * since (never one that was there before) and throws if a removal fails for another reason than the
 * image being gone or in use.
 */
export async function snapshotImages(references: string[]): Promise<() => Promise<void>> {
  const tags = async () => (await docker.listImages({ filters: JSON.stringify({ reference: references }) })).flatMap((i) => i.RepoTags ?? []);
  const before = new Set(unreachable === null ? await tags() : []);
  return async () => {
    if (unreachable !== null) return;
    const problems: string[] = [];
    for (const tag of await tags()) {
      if (before.has(tag)) continue;
      await docker
        .getImage(tag)
        .remove()
        .catch((err: unknown) => {
          const code = (err as { statusCode?: unknown } | null)?.statusCode;
          if (code !== 404 && code !== 409) problems.push(`${tag}: ${String(err)}`);
        });
    }
    if (problems.length > 0) throw new Error(`could not remove test images:\n${problems.join('\n')}`);
  };
}
