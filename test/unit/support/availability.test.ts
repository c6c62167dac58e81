import { describe, expect, it } from 'vitest';
import { type Availability, ciIsSet, describeAvailability, skipsChromium, skipsDocker, skipsRegistry } from '../../support/availability.js';

const all: Availability = { ci: false, docker: { endpoint: 'unix:///var/run/docker.sock', unreachable: null }, chromium: { path: '/usr/bin/chromium', found: true }, registry: { path: '/usr/bin/docker-registry', found: true } };
const noDocker: Availability = { ...all, docker: { ...all.docker, unreachable: 'connect ENOENT' } };
const nothing: Availability = { ...noDocker, chromium: { ...all.chromium, found: false } };

describe('the run-wide Docker/Chromium decision', () => {
  it('says nothing is skipped when both are there', () => {
    expect(describeAvailability(all)).toMatch(/nothing is skipped/);
    expect(skipsDocker(all) || skipsChromium(all)).toBe(false);
  });

  it('outside CI names what it skips and why, in one line', () => {
    const line = describeAvailability(nothing);
    expect(line).toMatch(/^\[convoy tests\] SKIPPING the Docker suites and the Chromium \(e2e\) suites: /);
    expect(line).toContain('unix:///var/run/docker.sock is not reachable (connect ENOENT)');
    expect(line).toContain('/usr/bin/chromium is missing');
    expect(line).not.toContain('\n');
    expect([skipsDocker(nothing), skipsChromium(nothing)]).toEqual([true, true]);
    expect(describeAvailability(noDocker)).toMatch(/SKIPPING the Docker suites: /);
    const noRegistry = { ...nothing, registry: { ...all.registry, found: false } };
    expect(describeAvailability(noRegistry)).toMatch(/SKIPPING the Docker suites, the Chromium \(e2e\) suites and the registry \(push\) suites: /);
    expect(skipsRegistry(noRegistry)).toBe(true);
    expect(skipsRegistry({ ...noRegistry, ci: true })).toBe(false);
  });

  it('under CI skips nothing and says the suites will fail', () => {
    const ci = { ...nothing, ci: true };
    expect(describeAvailability(ci)).toMatch(/CI is set, so the Docker suites and the Chromium \(e2e\) suites will FAIL, not skip/);
    expect([skipsDocker(ci), skipsChromium(ci)]).toEqual([false, false]);
  });

  it('reads CI the way CI systems set it', () => {
    expect(['true', '1', 'yes'].map(ciIsSet)).toEqual([true, true, true]);
    expect([undefined, '', '0', 'false', 'FALSE'].map(ciIsSet)).toEqual([false, false, false, false, false]);
  });
});
