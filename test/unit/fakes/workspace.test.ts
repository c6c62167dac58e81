// The in-memory workspace (test/fakes/workspace.ts): the affected walk over its graph, its calls and
// its scripted errors. test/integration/port-contracts/workspace-nx.test.ts checks it against Nx.
import { describe, expect, it } from 'vitest';
import { ConvoyError } from '../../../shared/errors.js';
import { FakeWorkspace, fakeProject } from '../../fakes/workspace.js';

const graph = () =>
  FakeWorkspace.of('/ws', [
    fakeProject('lib', { root: 'libs/lib', type: 'library' }),
    fakeProject('api', { dependencies: ['lib'], capabilities: { dockerfile: 'services/api/Dockerfile' } }),
    fakeProject('web', { dependencies: ['api'] }),
  ]);

describe('the fake workspace', () => {
  it('affects the owners of the touched files and their dependents, explained', async () => {
    const ws = graph().touch(['libs/lib/a.js', 'README.md'], { base: 'abc', head: 'def' });
    const set = await ws.affected({ dir: '/ws' }, {});
    expect(set).toMatchObject({ workspace: '/ws', base: 'abc', head: 'def', touchedFiles: 2 });
    expect(set.projects.map((p) => [p.name, p.direct, p.explanation])).toEqual([
      ['api', false, 'api ← lib: libs/lib/a.js'],
      ['lib', true, 'lib: changed: libs/lib/a.js'],
      ['web', false, 'web ← api ← lib: libs/lib/a.js'],
    ]);
  });

  it('hands out copies of its graph, records calls and throws a scripted error once', async () => {
    const ws = graph();
    const first = await ws.open('/ws', {});
    first.projects.pop();
    expect((await ws.open('/ws', {})).projects).toHaveLength(3);
    expect(first.projects[1]?.capabilities).toMatchObject({ buildable: true, deployable: false });
    ws.failOn('affected', new ConvoyError('GIT_ERROR', 'unknown ref nope'));
    await expect(ws.affected({ dir: '/ws', base: 'nope' }, {})).rejects.toMatchObject({ code: 'GIT_ERROR' });
    await expect(ws.affected({ dir: '/ws', base: 'main' }, {})).resolves.toMatchObject({ base: 'main', projects: [] });
    expect(ws.calls.map((c) => [c.method, c.query?.base ?? null])).toEqual([
      ['open', null],
      ['open', null],
      ['affected', 'nope'],
      ['affected', 'main'],
    ]);
  });
});
