// What this machine offers the tests that need a Docker Engine, Chromium or the image registry, decided once per run by
// the global setup (global-availability.ts) and handed to every test file with vitest's provide/inject,
// so that no file probes for itself at load time (a slow engine then used to drop a file's tests
// silently). Outside CI a missing engine or browser skips those suites, loudly; under CI they run
// and fail.
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { dockerEndpoint, dockerOptions } from '../../electron/adapters/docker/docker-engine.js';

export interface Availability {
  /** The CI environment variable is set: nothing may be skipped. */
  ci: boolean;
  docker: { endpoint: string; unreachable: string | null };
  chromium: { path: string; found: boolean };
  /** Debian's distribution registry, for the push tests (test/support/registry.ts). */
  registry: { path: string; found: boolean };
}

declare module 'vitest' {
  export interface ProvidedContext {
    convoyAvailability: Availability;
  }
}

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const REGISTRY_PATH = '/usr/bin/docker-registry';

export function ciIsSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Pings the engine a few times with a generous timeout: a busy machine answers slowly, not never. */
export async function probeAvailability(env: NodeJS.ProcessEnv = process.env, attempts = 3): Promise<Availability> {
  const endpoint = dockerEndpoint(env);
  let unreachable: string | null = 'not tried';
  for (let attempt = 0; attempt < attempts && unreachable !== null; attempt++) {
    unreachable = await new Docker({ ...dockerOptions(endpoint), timeout: 10_000 }).ping().then(
      () => null,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
  }
  return {
    ci: ciIsSet(env.CI),
    docker: { endpoint, unreachable },
    chromium: { path: CHROMIUM_PATH, found: existsSync(CHROMIUM_PATH) },
    registry: { path: REGISTRY_PATH, found: existsSync(REGISTRY_PATH) },
  };
}

/** The one line the run prints about what it skips (or, under CI, what will fail) and why. */
export function describeAvailability(a: Availability): string {
  const missing = [
    ...(a.docker.unreachable !== null ? [`Docker Engine at ${a.docker.endpoint} is not reachable (${a.docker.unreachable})`] : []),
    ...(a.chromium.found ? [] : [`${a.chromium.path} is missing`]),
    ...(a.registry.found ? [] : [`${a.registry.path} is missing`]),
  ];
  if (missing.length === 0) {
    return `[convoy tests] Docker Engine at ${a.docker.endpoint}, Chromium at ${a.chromium.path} and the registry at ${a.registry.path} found: nothing is skipped.`;
  }
  const suites = [
    ...(a.docker.unreachable !== null ? ['the Docker suites'] : []),
    ...(a.chromium.found ? [] : ['the Chromium (e2e) suites']),
    ...(a.registry.found ? [] : ['the registry (push) suites']),
  ];
  const what = suites.length > 1 ? `${suites.slice(0, -1).join(', ')} and ${suites[suites.length - 1]}` : suites.join('');
  if (a.ci) return `[convoy tests] CI is set, so ${what} will FAIL, not skip: ${missing.join('; ')}.`;
  return `[convoy tests] SKIPPING ${what}: ${missing.join('; ')}. Start Docker / install chromium, docker-registry to run them (under CI=true they fail instead).`;
}

/** Whether Docker suites skip (never under CI: there they run and fail in requireDocker). */
export function skipsDocker(a: Availability): boolean {
  return a.docker.unreachable !== null && !a.ci;
}

export function skipsChromium(a: Availability): boolean {
  return !a.chromium.found && !a.ci;
}

export function skipsRegistry(a: Availability): boolean {
  return !a.registry.found && !a.ci;
}
