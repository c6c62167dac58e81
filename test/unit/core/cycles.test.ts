import { describe, expect, it } from 'vitest';
import { findCycles } from '../../../electron/core/cycles.js';

const p = (name: string, ...dependencies: string[]) => ({ name, dependencies });

describe('findCycles', () => {
  it('finds nothing in a DAG', () => {
    expect(findCycles([p('a', 'b', 'c'), p('b', 'c'), p('c'), p('d', 'a')])).toEqual([]);
  });

  it('reports each cycle once as a closed path, starting at its first name', () => {
    const cycles = findCycles([p('web', 'api'), p('api', 'lib'), p('lib', 'api2'), p('api2', 'api'), p('x', 'y'), p('y', 'x'), p('z')]);
    expect(cycles).toEqual([
      ['api', 'lib', 'api2', 'api'],
      ['x', 'y', 'x'],
    ]);
  });

  it('finds nothing in a DAG with a cross edge into an already finished branch (issue 17 mutant)', () => {
    // Tarjan visits a → c, then a → d → c: c is finished and off the stack, so d's edge to it is a cross
    // edge that must not lower d's link value (an earlier version reported the cycle [a, a] here).
    expect(findCycles([p('a', 'c', 'd'), p('b', 'd'), p('d', 'c'), p('c')])).toEqual([]);
  });

  it('lists cycles by their first name, not in the order they were found', () => {
    // The x–y cycle is completed first (a reaches it through x before b), yet a–b is listed first.
    expect(findCycles([p('a', 'x', 'b'), p('b', 'a'), p('x', 'y'), p('y', 'x')])).toEqual([
      ['a', 'b', 'a'],
      ['x', 'y', 'x'],
    ]);
  });

  it('reports a project that depends on itself', () => {
    expect(findCycles([p('a', 'a'), p('b', 'a')])).toEqual([['a', 'a']]);
  });

  it('reports a self-loop once when an earlier project already reached it', () => {
    // a is searched first and reaches b; b's own turn as a starting point must not search it again.
    expect(findCycles([p('a', 'b'), p('b', 'b')])).toEqual([['b', 'b']]);
  });

  it('picks a shortest cycle inside a tangled component', () => {
    const [cycle] = findCycles([p('a', 'b', 'c'), p('b', 'c'), p('c', 'a')]);
    expect(cycle).toEqual(['a', 'c', 'a']);
  });

  it('breaks a tie between equally short cycles by name, whatever order the dependencies are listed in', () => {
    expect(findCycles([p('a', 'c', 'b'), p('b', 'a'), p('c', 'a')])).toEqual([['a', 'b', 'a']]);
    expect(findCycles([p('c', 'a'), p('b', 'a'), p('a', 'b', 'c')])).toEqual([['a', 'b', 'a']]);
  });

  it('ignores edges to unknown (external) nodes and survives a long chain', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => p(`n${i}`, ...(i > 0 ? [`n${i - 1}`] : ['npm:zod'])));
    expect(findCycles(chain)).toEqual([]);
    chain[0] = p('n0', 'n19999');
    expect(findCycles(chain)[0]).toHaveLength(20_001);
  });
});
