// One fresh `convoy affected` process (bin/convoy.mjs) per call, for the persisted-graph tests: its
// affected names and how it read the graph, and the check every trigger makes (equal to nx, then
// served cached by an unchanged second process).
import { expect } from 'vitest';
import { convoy } from './cli-run.js';
import { type TestWorkspace, nxAffected } from './fixtures.js';

export type GraphRead = 'cached' | 'updated' | 'rebuilt';

/** One fresh `convoy affected` process: the affected names (from its table) and how it read the graph (its header). */
export async function freshConvoy(ws: TestWorkspace, data: string): Promise<{ names: string[]; read: GraphRead; stderr: string }> {
  const result = await convoy(['affected', '--workspace', ws.dir, '--data', data]);
  expect(result.code, result.stderr).toBe(0);
  const [header = '', , , ...rows] = result.stdout.trimEnd().split('\n');
  const read: GraphRead = header.endsWith(', cached graph') ? 'cached' : header.endsWith(', graph updated') ? 'updated' : 'rebuilt';
  const names = header.startsWith('0 affected') ? [] : rows.map((row) => row.split(/\s+/)[0] as string).sort();
  return { names, read, stderr: result.stderr };
}

/** After a trigger: a fresh process reads the graph as `expected` says and agrees with nx; the next one serves it cached. */
export async function expectFresh(ws: TestWorkspace, data: string, expected: Exclude<GraphRead, 'cached'>): Promise<string[]> {
  const first = await freshConvoy(ws, data);
  expect(first.read, 'how the fresh process read the graph').toBe(expected);
  expect(first.names, 'equal to nx').toEqual(nxAffected(ws.dir, ['--base=main']));
  const second = await freshConvoy(ws, data);
  expect(second.read, 'an unchanged second process').toBe('cached');
  expect(second.names).toEqual(first.names);
  return first.names;
}
