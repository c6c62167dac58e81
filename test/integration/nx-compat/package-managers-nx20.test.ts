// The package-manager workspaces of test/integration/affected (pnpm 9, yarn classic, yarn 4 with the
// node-modules linker, `workspace:*` versions) under the oldest supported Nx, whose lockfile parsers
// are the furthest from the bundled nx's: Convoy's set equals nx 20's own on a source change, on a
// lockfile change (every project, Nx's default) and on one read with projectsAffectedByDependencyUpdates:
// auto (where nx 20, unlike nx 24, touches no project: Convoy follows the workspace's nx).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUMPED_EXTERNALS, type FileMap, type TestWorkspace, createWorkspace, names, nxAffected, nxArgs, removeWorkspaces } from '../affected/fixtures.js';
import { checkReasons } from '../affected/assertions.js';
import { berryLock, berryTemplate, pnpmLock, pnpmNodeModules, pnpmTemplate, yarnLock, yarnTemplate } from '../affected/package-manager-workspaces.js';
import { COMPAT_VERSIONS, installNx } from './nx-install.js';

const VERSION = COMPAT_VERSIONS[20];
const CASE_TIMEOUT = 90_000;

const MANAGERS: Array<{ name: string; template: () => FileMap; lockfile: string; bumped: () => string; scope: string; pnpm?: boolean }> = [
  { name: 'pnpm', template: pnpmTemplate, lockfile: 'pnpm-lock.yaml', bumped: () => pnpmLock(BUMPED_EXTERNALS), scope: '@pn', pnpm: true },
  { name: 'yarn classic', template: yarnTemplate, lockfile: 'yarn.lock', bumped: () => yarnLock(BUMPED_EXTERNALS), scope: '@yn' },
  { name: 'yarn 4 (node-modules linker)', template: berryTemplate, lockfile: 'yarn.lock', bumped: () => berryLock(BUMPED_EXTERNALS), scope: '@yb' },
];

afterAll(() => removeWorkspaces());

for (const manager of MANAGERS) {
  describe(`${manager.name} workspace under nx ${VERSION}`, () => {
    let ws: TestWorkspace | null = null;
    let installError: Error | null = null;
    beforeAll(async () => {
      try {
        const nodeModules = await installNx(VERSION);
        ws = createWorkspace(`pm-${manager.name.split(' ')[0]}-${VERSION}`, manager.template(), nodeModules);
        if (manager.pnpm) pnpmNodeModules(ws.dir, nodeModules);
      } catch (err) {
        installError = err as Error;
        if (process.env.CI === 'true') throw err;
      }
    }, 300_000);

    async function compareWithNx(w: TestWorkspace, query: { base: string; head: string }): Promise<string[]> {
      const nx = nxAffected(w.dir, nxArgs(query));
      const set = await w.port.affected({ dir: w.dir, ...query }, {});
      expect(names(set), `nx ${VERSION} ${nxArgs(query).join(' ')}`).toEqual(nx);
      checkReasons(set);
      return nx;
    }

    it('a source change with workspace:* dependents', async (ctx) => {
      if (!ws) return ctx.skip(`nx ${VERSION} could not be installed: ${installError?.message}`);
      ws.reset();
      ws.branch('feature');
      ws.commit('util', { 'packages/util/index.js': "export const util = 'v2';\n" });
      const nx = await compareWithNx(ws, { base: 'main', head: 'feature' });
      expect(nx).toContain(`${manager.scope}/web`);
    }, CASE_TIMEOUT);

    it('a lockfile change with projectsAffectedByDependencyUpdates: auto', async (ctx) => {
      if (!ws) return ctx.skip(`nx ${VERSION} could not be installed: ${installError?.message}`);
      ws.reset();
      ws.editJson('nx.json', (json) => void (json.pluginsConfig = { '@nx/js': { projectsAffectedByDependencyUpdates: 'auto' } }));
      ws.commit('auto');
      ws.branch('feature');
      ws.commit('bump zod and ms', { [manager.lockfile]: manager.bumped() });
      const nx = await compareWithNx(ws, { base: 'main', head: 'feature' });
      expect(nx).not.toContain(`${manager.scope}/ui`);
    }, CASE_TIMEOUT);

    it('a lockfile change (projectsAffectedByDependencyUpdates: all, the default)', async (ctx) => {
      if (!ws) return ctx.skip(`nx ${VERSION} could not be installed: ${installError?.message}`);
      ws.reset();
      ws.branch('feature');
      ws.commit('bump zod and ms', { [manager.lockfile]: manager.bumped() });
      const nx = await compareWithNx(ws, { base: 'main', head: 'feature' });
      expect(nx).toContain(`${manager.scope}/ui`);
    }, CASE_TIMEOUT);
  });
}
