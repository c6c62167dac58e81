// Reason chains on the bundled example workspace (examples/shop), as a release manager reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleShopFiles } from '../../support/example-shop.js';
import { type TestWorkspace, createWorkspace, nxAffected, project, removeWorkspaces } from './fixtures.js';

let ws: TestWorkspace;

beforeAll(() => {
  ws = createWorkspace('shop', exampleShopFiles());
});
afterAll(removeWorkspaces);

async function affected(base: string, head: string) {
  const set = await ws.port.affected({ dir: ws.dir, base, head }, {});
  expect(set.projects.map((p) => p.name).sort()).toEqual(nxAffected(ws.dir, [`--base=${base}`, `--head=${head}`]));
  return set;
}

describe('examples/shop reason chains', () => {
  it('a lib-pricing change reaches every service, storefront through catalog-api', async () => {
    ws.branch('pricing');
    ws.commit('pricing change', { 'libs/lib-pricing/src/price.js': `${ws.read('libs/lib-pricing/src/price.js')}\n// rounding\n` });
    const set = await affected('main', 'pricing');
    expect(set.projects.map((p) => p.name)).toEqual(['catalog-api', 'lib-pricing', 'orders-api', 'storefront']);
    expect(project(set, 'lib-pricing')).toMatchObject({ direct: true, files: ['libs/lib-pricing/src/price.js'], via: [] });
    expect(project(set, 'catalog-api')).toMatchObject({ direct: false, via: ['lib-pricing'] });
    const storefront = project(set, 'storefront');
    expect(storefront.via).toEqual(['catalog-api', 'lib-pricing']);
    expect(storefront.explanation).toBe('storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js');
  });

  it('a storefront-only change affects storefront alone', async () => {
    ws.checkout('main');
    ws.branch('storefront-copy');
    ws.commit('copy change', { 'services/storefront/www/index.html': `${ws.read('services/storefront/www/index.html')}\n<!-- copy -->\n` });
    const set = await affected('main', 'storefront-copy');
    expect(set.projects.map((p) => p.name)).toEqual(['storefront']);
  });

  it('an nx.json change touches every project, and says so', async () => {
    ws.checkout('main');
    ws.branch('nx-config');
    ws.editJson<{ namedInputs: Record<string, string[]> }>('nx.json', (json) => {
      json.namedInputs.sharedGlobals = ['{workspaceRoot}/nx.json', '{workspaceRoot}/convoy.yaml'];
    });
    ws.commit('nx.json: convoy.yaml is a shared global');
    const set = await affected('main', 'nx-config');
    expect(set.projects).toHaveLength(5);
    for (const p of set.projects) {
      expect(p.direct).toBe(true);
      expect(p.reasons).toContainEqual({ kind: 'workspace', cause: 'nx.json changed', files: ['nx.json'] });
    }
  });
});
