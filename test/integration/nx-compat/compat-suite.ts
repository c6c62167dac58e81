// One supported Nx major against Convoy: nx@<version> installed from the registry (cached per
// machine), one generated workspace, every change kind of compat-cases.ts compared with that
// version's own `nx show projects --affected`. Under CI=true a failed install fails the suite;
// elsewhere (say, offline) it is skipped with the reason.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../shared/contract.js';
import { NX_REFUSES } from '../../support/nx-argument-rules.js';
import { type TestWorkspace, cleanEnv, createWorkspace, names, nxAffected, nxArgs, removeWorkspaces } from '../affected/fixtures.js';
import { checkReasons } from '../affected/assertions.js';
import { CHANGE_KINDS, compatTemplate } from './compat-cases.js';
import { installNx } from './nx-install.js';

const INSTALL_TIMEOUT = 300_000;
const CASE_TIMEOUT = 90_000;

export function compatSuite(version: string): void {
  describe(`nx ${version}: Convoy's affected set equals nx show projects --affected`, () => {
    let ws: TestWorkspace | null = null;
    let installError: Error | null = null;

    beforeAll(async () => {
      try {
        ws = createWorkspace(`compat-${version}`, compatTemplate(), await installNx(version));
      } catch (err) {
        installError = err as Error;
        if (process.env.CI === 'true') throw err;
      }
    }, INSTALL_TIMEOUT);
    afterAll(() => removeWorkspaces());

    it('reads the graph with the workspace\'s own nx of that version', async (ctx) => {
      if (!ws) return ctx.skip(`nx ${version} could not be installed: ${installError?.message}`);
      const graph = await ws.port.open(ws.dir, {});
      expect(graph.nxSource).toBe('workspace');
      expect(graph.nxVersion).toBe(version);
    }, CASE_TIMEOUT);

    it('refuses the argument combinations this nx refuses', async (ctx) => {
      if (!ws) return ctx.skip(`nx ${version} could not be installed: ${installError?.message}`);
      const bin = path.join(ws.dir, 'node_modules', '.bin', 'nx');
      for (const query of NX_REFUSES) {
        const args = nxArgs(query);
        const nx = spawnSync(process.execPath, [bin, 'show', 'projects', '--affected', ...args, '--json'], {
          cwd: ws.dir,
          env: cleanEnv({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }),
          encoding: 'utf8',
        });
        expect(nx.status, `nx ${version} ${args.join(' ')}`).not.toBe(0);
        expect(commands['affected.compute'].input.safeParse({ dir: ws.dir, ...query }).success, `Convoy ${args.join(' ')}`).toBe(false);
      }
    }, CASE_TIMEOUT);

    for (const kind of CHANGE_KINDS) {
      it(kind.name, async (ctx) => {
        if (!ws) return ctx.skip(`nx ${version} could not be installed: ${installError?.message}`);
        ws.reset();
        const query = kind.apply(ws);
        const nx = nxAffected(ws.dir, nxArgs(query));
        const set = await ws.port.affected({ dir: ws.dir, ...query }, {});
        expect(names(set), `nx ${version}, ${kind.name}: nx show projects --affected ${nxArgs(query).join(' ')}`).toEqual(nx);
        expect(nx.length, 'the change affects something').toBeGreaterThan(0);
        checkReasons(set);
        for (const project of set.projects) expect(project.cause, project.name).not.toBe('');
        if (kind.name === 'root package.json dependency') {
          expect(set.projects.find((p) => p.name === '@acme/util')?.cause).toBe('package.json dependency zod changed');
        }
      }, CASE_TIMEOUT);
    }
  });
}
