// Boundaries of the release plan that the mutation run (docs/mutation.md) found unpinned: each case
// fails with one of its surviving mutants applied by hand.
import { describe, expect, it } from 'vitest';
import { type PlanProject, layerWaves, planRelease } from '../../../../electron/core/release/plan.js';

const lib = (name: string, ...dependencies: string[]): PlanProject => ({ name, dependencies, deployable: false });
const svc = (name: string, dependencies: string[] = [], deployAfter: string[] = []): PlanProject => ({ name, dependencies, deployable: true, deployAfter });

function cycleMessage(projects: PlanProject[], selected: string[]): string {
  try {
    planRelease({ projects, selected, environments: ['e'] });
  } catch (err) {
    expect(err).toMatchObject({ code: 'DEPLOY_CYCLE' });
    return (err as Error).message;
  }
  throw new Error('expected a DEPLOY_CYCLE error');
}

describe('planRelease: what a service waits for', () => {
  it('a service that reaches itself only through a library does not wait for itself', () => {
    const plan = planRelease({ projects: [svc('a', ['lib']), lib('lib', 'a')], selected: ['a'], environments: ['e'] });
    expect(plan.environments[0]!.waves).toEqual([['a']]);
  });

  it('lists each planned service it waits for once, and only planned ones', () => {
    // top → left, right → base (a diamond of services); gateway → api, with api not in the release.
    const projects = [svc('base'), svc('left', ['base']), svc('right', ['base']), svc('top', ['left', 'right']), svc('api'), svc('gateway', ['api'])];
    const plan = planRelease({ projects, selected: ['base', 'left', 'right', 'top', 'gateway'], environments: ['e'] });
    expect(plan.order).toEqual([
      { service: 'base', after: [] },
      { service: 'gateway', after: [] },
      { service: 'left', after: ['base'] },
      { service: 'right', after: ['base'] },
      { service: 'top', after: ['base', 'left', 'right'] },
    ]);
  });

  it('skips nothing when what runs is known but the images are not', () => {
    const plan = planRelease({ projects: [svc('a')], selected: ['a'], environments: ['e'], live: { e: { a: { image: 'x:1', state: 'ready' } } } });
    expect(plan.environments[0]).toEqual({ name: 'e', waves: [['a']], skipped: [] });
  });

  it('names unknown selected projects once each, sorted', () => {
    expect(() => planRelease({ projects: [svc('a')], selected: ['zz', 'a', 'bb', 'zz'], environments: ['e'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: 'No project named bb, zz in this workspace' }),
    );
  });
});

describe('planRelease: how a refused cycle is named', () => {
  it('names the first library path found, in the order the dependencies are listed, with arrows', () => {
    // s reaches t through lib-a → lib-b and through lib-a → lib-c, and through lib-d; t deploys after s.
    const projects = [svc('s', ['lib-a', 'lib-d']), lib('lib-a', 'lib-b', 'lib-c'), lib('lib-b', 't'), lib('lib-c', 't'), lib('lib-d', 't'), svc('t', [], ['s'])];
    expect(cycleMessage(projects, ['s', 't'])).toContain('s → t (depends, via lib-a → lib-b) → s (deployAfter)');
  });

  it('keeps deployAfter as the reason when a service also depends on the same service', () => {
    expect(cycleMessage([svc('a', ['b'], ['b']), svc('b', [], ['a'])], ['a', 'b'])).toContain('a → b (deployAfter) → a (deployAfter)');
  });

  it('names the edge of each step, not the first edge of the step before', () => {
    expect(cycleMessage([svc('a', ['b'], ['x']), svc('b', [], ['a']), svc('x')], ['a', 'b', 'x'])).toContain('a → b (depends) → a (deployAfter)');
  });

  it('separates several cycles with "; "', () => {
    expect(cycleMessage([svc('a', [], ['a']), svc('b', [], ['b'])], ['a', 'b'])).toContain('a → a (deployAfter); b → b (deployAfter)');
  });
});

// A name is only a name: no project is waited for unless an edge names it. The name below is the one
// Stryker puts in an array it fills, so a fallback list that is not empty shows up here.
describe('planRelease and layerWaves: nothing waits for a name no edge gives', () => {
  const odd = 'Stryker was here';

  it('a service without a deployAfter list waits for no other deployable, whatever their names', () => {
    const projects: PlanProject[] = [
      { name: odd, dependencies: [], deployable: true },
      { name: 'web', dependencies: [], deployable: true },
    ];
    const plan = planRelease({ projects, selected: [odd, 'web'], environments: ['e'] });
    expect(plan.order).toEqual([
      { service: odd, after: [] },
      { service: 'web', after: [] },
    ]);
    expect(plan.environments[0]!.waves).toEqual([[odd, 'web']]);
  });

  it('a service with no entry in after waits for nothing, and still comes before what waits for it', () => {
    // a waits for b; b and the odd name have no entry of their own.
    expect(layerWaves([odd, 'a', 'b'], new Map([['a', ['b']]]))).toEqual([[odd, 'b'], ['a']]);
  });
});
