// A git copy of the bundled example (examples/shop) on main, with lib-pricing changed on `feature`.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type TestWorkspace, createWorkspace } from '../affected/fixtures.js';

export function exampleWithPricingChange(): TestWorkspace {
  const files: Record<string, string> = {};
  const root = path.join(REPO_ROOT, 'examples', 'shop');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', '.nx', 'dist'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  const ws = createWorkspace('shop-plan', files);
  ws.branch('feature');
  ws.commit('pricing change', { 'libs/lib-pricing/src/price.js': `${ws.read('libs/lib-pricing/src/price.js')}\n// rounding\n` });
  return ws;
}
