// The in-memory workspace (test/fakes/workspace.ts) against the Nx adapter on a copy of examples/shop:
// over the graph Nx reports, the same plain file changes inside projects give the same affected
// projects, reasons and explanations. (Changes Nx judges by its own rules — nx.json, lockfiles,
// deletions — are the adapter's alone; the fake does not model them.)
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWorkspace } from '../../fakes/workspace.js';
import { REPO_ROOT, type TestWorkspace, createWorkspace, removeWorkspaces } from '../affected/fixtures.js';

let ws: TestWorkspace;
let fake: FakeWorkspace;

beforeAll(async () => {
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
  ws = createWorkspace('shop-fake', files);
  fake = new FakeWorkspace(await ws.port.open(ws.dir, {}));
});
afterAll(removeWorkspaces);

describe('the fake workspace answers as the Nx adapter for changes inside projects', () => {
  it.each([
    ['one library file', 'pricing', ['libs/lib-pricing/src/price.js']],
    ['one service file', 'copy', ['services/storefront/www/index.html']],
    ['files in two projects', 'both', ['libs/lib-pricing/src/price.js', 'services/orders-api/www/healthz']],
  ])('%s', async (_name, branch, files) => {
    ws.checkout('main');
    ws.branch(branch);
    ws.commit(branch, Object.fromEntries(files.map((file) => [file, `${ws.read(file)}\n# ${branch}\n`])));
    const real = await ws.port.affected({ dir: ws.dir, base: 'main', head: branch }, {});
    const faked = await fake.touch(files).affected({ dir: ws.dir, base: 'main', head: branch }, {});
    expect(real.projects.length).toBeGreaterThan(0);
    expect(faked.projects).toEqual(real.projects);
    expect(faked.touchedFiles).toBe(real.touchedFiles);
  });
});
