// Vitest global setup: decides once, before any test file loads, whether the Docker and Chromium
// suites can run, prints one line saying what will be skipped and why, and provides the decision to
// every file (test/support/docker-engine.ts and serve-cli.ts inject it). A skip is repeated at the end
// of the run, so it is not lost above a green summary.
import type { TestProject } from 'vitest/node';
import { describeAvailability, probeAvailability, skipsChromium, skipsDocker, skipsRegistry } from './availability.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const availability = await probeAvailability();
  const line = describeAvailability(availability);
  const skips = () => skipsDocker(availability) || skipsChromium(availability) || skipsRegistry(availability);
  const missing = availability.docker.unreachable !== null || !availability.chromium.found || !availability.registry.found;
  // Yellow when something is skipped or will fail, plain otherwise.
  console.log(missing ? `\x1b[33m${line}\x1b[0m` : line);
  project.provide('convoyAvailability', availability);
  return () => {
    if (skips()) console.log(`\x1b[33m${line}\x1b[0m`);
  };
}
