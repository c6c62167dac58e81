// The release plan: waves per environment on the example's graph, on hand-made edge cases, and on
// seeded random graphs checked against the plan's promises (every ordering respected, fewest waves,
// cycles refused and named, deployAfter honoured, unchanged services skipped).
import { describe, expect, it } from 'vitest';
import { type PlanInput, type PlanProject, planRelease } from '../../../../electron/core/release/plan.js';
import type { ReleasePlan } from '../../../../shared/contract/release.js';

const lib = (name: string, ...dependencies: string[]): PlanProject => ({ name, dependencies, deployable: false });
const svc = (name: string, dependencies: string[] = [], deployAfter: string[] = []): PlanProject => ({ name, dependencies, deployable: true, deployAfter });

// The bundled example's graph (examples/shop): two libraries, two APIs on both, a storefront on both APIs.
const SHOP: PlanProject[] = [
  lib('lib-http'),
  lib('lib-pricing'),
  svc('catalog-api', ['lib-http', 'lib-pricing']),
  svc('orders-api', ['lib-http', 'lib-pricing']),
  svc('storefront', ['catalog-api', 'orders-api']),
];
const ALL_SHOP = ['catalog-api', 'lib-pricing', 'orders-api', 'storefront'];

describe('planRelease on the example', () => {
  it('puts the APIs in the first wave and the storefront after them, in every environment', () => {
    const plan = planRelease({ projects: SHOP, selected: ALL_SHOP, environments: ['local', 'staging'] });
    expect(plan.services).toEqual(['catalog-api', 'orders-api', 'storefront']);
    expect(plan.notDeployable).toEqual(['lib-pricing']);
    expect(plan.environments).toEqual([
      { name: 'local', waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [] },
      { name: 'staging', waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [] },
    ]);
    expect(plan.order).toEqual([
      { service: 'catalog-api', after: [] },
      { service: 'orders-api', after: [] },
      { service: 'storefront', after: ['catalog-api', 'orders-api'] },
    ]);
  });

  it('skips a service already running the same image, and the storefront then waits only for what deploys', () => {
    const images = { 'catalog-api': 'shop/catalog-api:aaa', 'orders-api': 'shop/orders-api:bbb', storefront: 'shop/storefront:ccc' };
    const plan = planRelease({
      projects: SHOP,
      selected: ALL_SHOP,
      environments: ['local', 'staging'],
      images,
      live: {
        local: { 'catalog-api': { image: 'shop/catalog-api:aaa', state: 'ready' }, 'orders-api': { image: 'shop/orders-api:old', state: 'ready' } },
        staging: { 'catalog-api': { image: 'shop/catalog-api:aaa', state: 'failed' } },
      },
    });
    expect(plan.environments[0]).toEqual({
      name: 'local',
      waves: [['orders-api'], ['storefront']],
      skipped: [{ service: 'catalog-api', image: 'shop/catalog-api:aaa', reason: 'shop/catalog-api:aaa already runs in local and is ready' }],
    });
    // The same image but failed is deployed again.
    expect(plan.environments[1]).toEqual({ name: 'staging', waves: [['catalog-api', 'orders-api'], ['storefront']], skipped: [] });
  });

  it('plans nothing for a change that touches only a library nobody deploys from', () => {
    const plan = planRelease({ projects: [...SHOP, lib('lib-unused')], selected: ['lib-unused'], environments: ['local'] });
    expect(plan).toMatchObject({ services: [], notDeployable: ['lib-unused'], environments: [{ name: 'local', waves: [], skipped: [] }] });
  });
});

describe('planRelease edges', () => {
  it('follows libraries transitively, and keeps order through a deployable that is not in the release', () => {
    const projects = [svc('db-migrate'), lib('lib-a', 'lib-b'), lib('lib-b', 'lib-a', 'db-migrate'), svc('api', ['lib-a']), svc('web', ['gateway']), svc('gateway', ['api'])];
    const plan = planRelease({ projects, selected: ['db-migrate', 'api', 'web'], environments: ['local'] });
    expect(plan.environments[0]!.waves).toEqual([['db-migrate'], ['api'], ['web']]);
  });

  it('honours deployAfter', () => {
    const projects = [svc('a'), svc('b', [], ['a']), svc('c', [], ['b'])];
    expect(planRelease({ projects, selected: ['a', 'b', 'c'], environments: ['e'] }).environments[0]!.waves).toEqual([['a'], ['b'], ['c']]);
  });

  it('refuses a cycle through deployAfter, naming it and the edges', () => {
    const projects = [lib('lib'), svc('api', ['lib']), svc('web', ['api']), svc('worker', [], ['web'])];
    projects[1] = svc('api', ['lib'], ['worker']);
    expect(() => planRelease({ projects, selected: ['api'], environments: ['e'] })).toThrow(
      expect.objectContaining({ code: 'DEPLOY_CYCLE', message: expect.stringContaining('api → worker (deployAfter) → web (deployAfter) → api (depends)') }),
    );
  });

  it('refuses a cycle through a library, naming the library', () => {
    const projects = [lib('lib-x', 'b'), svc('a', ['lib-x']), svc('b', ['a'])];
    expect(() => planRelease({ projects, selected: ['a', 'b'], environments: ['e'] })).toThrow(
      expect.objectContaining({ code: 'DEPLOY_CYCLE', message: expect.stringContaining('a → b (depends, via lib-x) → a (depends)') }),
    );
  });

  it('refuses a service that deploys after itself', () => {
    expect(() => planRelease({ projects: [svc('a', [], ['a'])], selected: ['a'], environments: ['e'] })).toThrow(expect.objectContaining({ code: 'DEPLOY_CYCLE', message: expect.stringContaining('a → a (deployAfter)') }));
  });

  it('refuses a deployAfter that names no deployable, and an unknown selected project', () => {
    expect(() => planRelease({ projects: [lib('l'), svc('a', [], ['l'])], selected: ['a'], environments: ['e'] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/a's convoy block says deployAfter "l", which Convoy does not deploy/) }),
    );
    expect(() => planRelease({ projects: [svc('a', [], ['ghost'])], selected: ['a'], environments: ['e'] })).toThrow(/deployAfter "ghost", which is not a project/);
    expect(() => planRelease({ projects: [svc('a')], selected: ['a', 'nope'], environments: ['e'] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('nope') }));
  });
});

// ── seeded random graphs ─────────────────────────────────────────────────────────────────────────

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Projects p0…pN-1; every edge (dependency or deployAfter) points to a lower number, so it is a DAG. */
function randomGraph(seed: number) {
  const rand = mulberry32(seed);
  const n = 5 + Math.floor(rand() * 40);
  const projects: PlanProject[] = [];
  for (let i = 0; i < n; i++) {
    const deployable = rand() < 0.6;
    const dependencies: string[] = [];
    const deployAfter: string[] = [];
    for (let j = 0; j < i; j++) {
      if (rand() < 2 / (i + 1)) dependencies.push(`p${j}`);
      if (deployable && projects[j]!.deployable && rand() < 0.03) deployAfter.push(`p${j}`);
    }
    if (rand() < 0.1) dependencies.push('npm:zod');
    projects.push({ name: `p${i}`, dependencies, deployable, deployAfter });
  }
  const selected = projects.filter(() => rand() < 0.7).map((p) => p.name);
  return { rand, projects, selected };
}

/** Whether `to` can be reached from `from` over dependencies and deployAfter (the test's own oracle). */
function reaches(projects: readonly PlanProject[], from: string, to: string): boolean {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const stack = [...(byName.get(from)?.dependencies ?? []), ...(byName.get(from)?.deployAfter ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    const p = byName.get(node);
    if (p) stack.push(...p.dependencies, ...(p.deployAfter ?? []));
  }
  return false;
}

function waveOf(plan: ReleasePlan, env = 0): Map<string, number> {
  return new Map(plan.environments[env]!.waves.flatMap((names, i) => names.map((name) => [name, i] as const)));
}

const SEEDS = Array.from({ length: 60 }, (_, i) => 1000 + i);

describe('planRelease on seeded random graphs', () => {
  it.each(SEEDS)('seed %i: every ordering respected, the fewest waves, sorted and deterministic', (seed) => {
    const { projects, selected } = randomGraph(seed);
    const input: PlanInput = { projects, selected, environments: ['local', 'staging'] };
    const plan = planRelease(input);
    expect(plan.services).toEqual(selected.filter((s) => projects.find((p) => p.name === s)!.deployable).sort());
    const wave = waveOf(plan);
    expect([...wave.keys()].sort()).toEqual(plan.services);
    for (const a of plan.services) {
      for (const b of plan.services) if (a !== b && reaches(projects, a, b)) expect(wave.get(a)!, `${a} after ${b}`).toBeGreaterThan(wave.get(b)!);
    }
    // Fewest waves: each service of wave k > 0 waits for one of wave k-1, so a chain as long as the
    // number of waves exists, and no layering can use fewer.
    plan.environments[0]!.waves.forEach((names, k) => {
      for (const name of names) {
        if (k > 0) expect(plan.environments[0]!.waves[k - 1]!.some((b) => reaches(projects, name, b)), `${name} in wave ${k}`).toBe(true);
      }
      expect(names).toEqual([...names].sort());
    });
    expect(plan.environments[1]!.waves).toEqual(plan.environments[0]!.waves);
    expect(planRelease({ ...input, projects: [...projects].reverse(), selected: [...selected].reverse() })).toEqual(plan);
  });

  it.each(SEEDS)('seed %i: a deployAfter back up a chain is refused as a cycle naming both ends', (seed) => {
    const { projects, selected } = randomGraph(seed);
    const plan = planRelease({ projects, selected, environments: ['e'] });
    const later = plan.order.find((o) => o.after.length > 0);
    if (!later) return;
    const earlier = later.after[0]!;
    const cyclic = projects.map((p) => (p.name === earlier ? { ...p, deployAfter: [...(p.deployAfter ?? []), later.service] } : p));
    let error: unknown;
    try {
      planRelease({ projects: cyclic, selected, environments: ['e'] });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'DEPLOY_CYCLE' });
    expect((error as Error).message).toContain(`${later.service} (deployAfter)`);
    expect((error as Error).message).toContain(earlier);
  });

  it.each(SEEDS)('seed %i: services already live with the same image are skipped, the rest still ordered', (seed) => {
    const { rand, projects, selected } = randomGraph(seed);
    const base = planRelease({ projects, selected, environments: ['e'] });
    const images = Object.fromEntries(base.services.map((s) => [s, `repo/${s}:new`]));
    const live: Record<string, { image: string; state: 'ready' | 'failed' }> = {};
    const unchanged: string[] = [];
    for (const s of base.services) {
      const roll = rand();
      if (roll < 0.4) {
        live[s] = { image: images[s]!, state: 'ready' };
        unchanged.push(s);
      } else if (roll < 0.55) live[s] = { image: images[s]!, state: 'failed' };
      else if (roll < 0.7) live[s] = { image: `repo/${s}:old`, state: 'ready' };
    }
    const plan = planRelease({ projects, selected, environments: ['e'], images, live: { e: live } });
    const env = plan.environments[0]!;
    expect(env.skipped.map((s) => s.service)).toEqual(unchanged);
    const deployed = env.waves.flat();
    expect([...deployed, ...unchanged].sort()).toEqual(base.services);
    const wave = waveOf(plan);
    for (const a of deployed) for (const b of deployed) if (a !== b && reaches(projects, a, b)) expect(wave.get(a)!).toBeGreaterThan(wave.get(b)!);
  });
});
