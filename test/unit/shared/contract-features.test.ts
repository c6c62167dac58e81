// shared/contract.ts assembles the feature modules by spreading their maps, where a name declared
// twice would silently win over the other. These checks make each name belong to exactly one module,
// the one named after its domain (`build.run` lives in shared/contract/build.ts).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands, events } from '../../../shared/contract.js';

const DIR = fileURLToPath(new URL('../../../shared/contract/', import.meta.url));

async function featureMaps(suffix: 'Commands' | 'Events'): Promise<{ feature: string; names: string[] }[]> {
  const files = readdirSync(DIR).filter((file) => file.endsWith('.ts') && file !== 'define.ts');
  return Promise.all(
    files.map(async (file) => {
      const feature = path.basename(file, '.ts');
      const mod = (await import(path.join(DIR, file))) as Record<string, object>;
      const map = mod[`${feature}${suffix}`];
      if (!map) throw new Error(`shared/contract/${file} exports no ${feature}${suffix}`);
      return { feature, names: Object.keys(map) };
    }),
  );
}

describe('contract by feature', () => {
  for (const [suffix, assembled] of [['Commands', commands], ['Events', events]] as const) {
    it(`every ${suffix.toLowerCase().slice(0, -1)} is declared once, in its domain's module`, async () => {
      const maps = await featureMaps(suffix);
      const declared = maps.flatMap(({ feature, names }) => names.map((name) => ({ feature, name })));
      expect(declared.map((d) => d.name).sort()).toEqual(Object.keys(assembled).sort());
      for (const { feature, name } of declared) expect(name.split('.')[0], name).toBe(feature);
    });
  }
});
