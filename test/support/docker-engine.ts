// Is there a Docker Engine for the tests? Decided once per test file, at collection time, so a suite
// can be skipped. Without an engine, Docker suites skip on a developer machine but FAIL when the CI
// environment variable is set, so CI cannot go green by silently skipping them.
import Docker from 'dockerode';
import { dockerEndpoint, dockerOptions } from '../../electron/adapters/docker/docker-engine.js';

export const endpoint = dockerEndpoint();

/** A client for setup and cleanup in tests (short timeout: tests never wait on a hung engine). */
export const docker = new Docker({ ...dockerOptions(endpoint), timeout: 5_000 });

/** null when the engine answers a ping, else why not. */
export const unreachable: string | null = await new Docker({ ...dockerOptions(endpoint), timeout: 3_000 }).ping().then(
  () => null,
  (err: unknown) => (err instanceof Error ? err.message : String(err)),
);

function ciIsSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export const inCI = ciIsSet(process.env.CI);

/** For `describe.skipIf(skipDocker)`. */
export const skipDocker = unreachable !== null && !inCI;

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
