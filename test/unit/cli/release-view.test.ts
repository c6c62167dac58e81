// How the CLI shows a release (electron/cli/commands/release-view.ts), on records made by the real
// engine over in-memory fakes: the lines printed for each change, the live block, and the summary.
import { describe, expect, it } from 'vitest';
import { changeLines, endpointOf, liveBlock, summary } from '../../../electron/cli/commands/release-view.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { createWorld, release } from '../../support/release-world.js';
import { FakeImageRegistry } from '../../fakes/image-registry.js';

/** A finished release to local; changeLines is checked between nothing and it, and between it and itself. */
async function recorded(version: string, world = createWorld()): Promise<{ report: ReleaseReport; world: ReturnType<typeof createWorld> }> {
  return { report: await release(world, { id: `r-${version}`, version, to: 'local' }).done, world };
}

describe('release view', () => {
  it('finds where a Docker service answers', () => {
    expect(endpointOf('revision 3 running at http://127.0.0.1:32768; HTTP 200 from /healthz')).toBe('http://127.0.0.1:32768');
    expect(endpointOf('revision 3 running; no port published')).toBeNull();
  });

  it('prints each finished stage, each service change and the end, once', async () => {
    const { report } = await recorded('v1');
    const lines = changeLines(null, report);
    expect(lines).toContain('local/storefront: ready');
    expect(lines.filter((l) => l.startsWith('✓ local waves'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('release succeeded');
    expect(changeLines(report, report)).toEqual([]);
  });

  it('the live block names the release, its stages and each environment with its waves', async () => {
    const { report } = await recorded('v1');
    const block = liveBlock(report);
    expect(block[0]).toBe('release r-v1 → local: succeeded');
    expect(block.at(-1)).toBe('  local [succeeded] wave 1: catalog-api ready, orders-api ready | wave 2: storefront ready');
  });

  it('the summary lists each push with its repository, digest and environments', async () => {
    const world = createWorld('kubernetes');
    Object.assign(world, { registries: { local: 'registry.example.com/shop' }, registry: new FakeImageRegistry() });
    const report = await release(world, { id: 'pushed', version: 'v1', to: 'local' }).done;
    const text = summary(report);
    expect(text).toContain('Registries (pushed once, deployed by digest):');
    expect(text).toMatch(/catalog-api\s+registry\.example\.com\/shop\/shop\/catalog-api\s+sha256:[0-9a-f]{64}\s+pushed\s+local/);
  });

  it('the summary says a re-release built and applied nothing; a failure gives its cause', async () => {
    const world = createWorld();
    await recorded('v1', world);
    const again = await release(world, { id: 'again', version: 'v1', to: 'local' }).done;
    expect(summary(again)).toContain('Nothing was built and nothing was applied');
    world.targets.local.failRollout('storefront', 'storefront: crashed');
    const failed = await release(world, { id: 'bad', version: 'v2', to: 'local' }).done;
    const text = summary(failed);
    expect(text).toMatch(/^Release bad → local: ROLLED-BACK$/m);
    expect(text).toContain('rollback orders-api: rolled-back');
    expect(text).toMatch(/^Cause: .*storefront: crashed.* \[HEALTH_FAILED\]$/m);
  });
});
