// The bundled example workspace (examples/shop) as a file map, for tests that commit a copy of it into a
// scratch git repository: the example as committed, minus anything a local install may have left in it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLE_SHOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'shop');

const LOCAL_ONLY = ['node_modules', '.nx', 'dist'];

export function exampleShopFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (LOCAL_ONLY.includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(EXAMPLE_SHOP, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(EXAMPLE_SHOP);
  return files;
}
