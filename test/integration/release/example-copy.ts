// A git copy of the bundled example (examples/shop) on main, with lib-pricing changed on `feature`.
import { exampleShopFiles } from '../../support/example-shop.js';
import { type TestWorkspace, createWorkspace } from '../affected/fixtures.js';

export function exampleWithPricingChange(): TestWorkspace {
  const ws = createWorkspace('shop-plan', exampleShopFiles());
  ws.branch('feature');
  ws.commit('pricing change', { 'libs/lib-pricing/src/price.js': `${ws.read('libs/lib-pricing/src/price.js')}\n// rounding\n` });
  return ws;
}
