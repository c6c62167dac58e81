// Proves the per-folder layer rules of eslint.config.js for electron/ fire (the LAYERS table and
// docs/architecture.md's layer table): for each folder, an import it may make passes and each kind of
// import it may not make is reported.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAllowed, expectBlocked, importing, layerErrors } from './lint-helpers.js';

/** The relative specifier from a (virtual) file to a module of the repository. */
function rel(from: string, to: string): string {
  const spec = path.posix.relative(path.posix.dirname(from), to);
  return spec.startsWith('.') ? spec : `./${spec}`;
}

/** A module of the repository (`electron/…`, `shared/…`) as a relative specifier; a package as it is. */
const spec = (file: string, target: string): string => (/^(electron|shared|renderer)\//.test(target) ? rel(file, target) : target);

async function allowedFrom(file: string, targets: string[]): Promise<void> {
  for (const target of targets) await expectAllowed(file, importing(spec(file, target)));
}

async function blockedFrom(file: string, targets: string[], mention?: RegExp): Promise<void> {
  for (const target of targets) await expectBlocked(file, importing(spec(file, target)), mention);
}

const ADAPTER = 'electron/adapters/git/git.js';

describe('electron/ layers', () => {
  it('only electron/app.ts imports adapters from outside electron/adapters (tests may too)', async () => {
    for (const file of [
      'electron/core/x.ts',
      'electron/core/ports/x.ts',
      'electron/features/build/x.ts',
      'electron/transports/x.ts',
      'electron/transports/ws/x.ts',
      'electron/transports/ipc/x.ts',
      'electron/cli/x.ts',
      'electron/cli/commands/x.ts',
      'electron/shell/x.ts',
      'electron/main/x.ts',
      'electron/preload/x.ts',
      'electron/app-paths.ts',
      'electron/version.ts',
      'electron/newfolder/x.ts',
      'renderer/src/x.ts',
      'shared/x.ts',
    ]) {
      await blockedFrom(file, [ADAPTER]);
    }
    for (const file of ['electron/app.ts', 'electron/adapters/nx/x.ts', 'test/unit/x.test.ts', 'test/integration/deep/x.test.ts']) {
      await allowedFrom(file, [ADAPTER]);
    }
  });

  it('a folder of electron/ with no row of its own may import only core and shared', async () => {
    const file = 'electron/newfolder/x.ts';
    await allowedFrom(file, ['electron/core/events.js', 'shared/contract.js']);
    await blockedFrom(file, ['electron/features/build/handlers.js', 'electron/app.js', 'dockerode'], /electron\/ \(a folder with no row|adapters/);
  });

  it('electron/adapters: core, shared, other adapters and any library; not features, transports or entry points', async () => {
    const file = 'electron/adapters/docker-target/x.ts';
    await allowedFrom(file, ['electron/core/ports/deploy-target.js', 'electron/adapters/docker/docker-engine.js', 'shared/errors.js', 'dockerode', 'node:fs']);
    await blockedFrom(
      file,
      ['electron/features/build/build-run.js', 'electron/app.js', 'electron/transports/ws/ws-server.js', 'electron/cli/main.js', 'electron/shell/start-shell.js'],
      /electron\/adapters may not import/,
    );
  });

  it('electron/features: core, ports, shared and other features; no adapters, no I/O modules, no adapter libraries', async () => {
    const file = 'electron/features/build/x.ts';
    await allowedFrom(file, ['electron/core/ports/config.js', 'electron/features/target/target-ops.js', 'shared/contract.js', 'node:path', 'os']);
    await blockedFrom(file, ['electron/adapters/config/load-config.js', 'electron/app.js', 'electron/transports/in-process.js', 'electron/cli/main.js'], /electron\/features may not import/);
    await blockedFrom(file, ['node:fs', 'fs', 'fs/promises', 'child_process', 'node:child_process', 'net', 'node:http'], /through ports/);
    await blockedFrom(file, ['dockerode', 'better-sqlite3', '@kubernetes/client-node', 'nx', '@nx/devkit'], /adapters/);
    await expectBlocked(file, "export const load = () => import('../../adapters/git/git.js');\n");
  });

  it('electron/transports: core, shared and each other; not adapters, features or the app', async () => {
    const file = 'electron/transports/ws/x.ts';
    await allowedFrom(file, ['electron/core/dispatcher.js', 'electron/transports/ipc/preload-api.js', 'shared/channel.js', 'ws', 'node:http', 'node:fs']);
    await blockedFrom(file, ['electron/adapters/sqlite/sqlite-store.js', 'electron/features/build/handlers.js', 'electron/app.js', 'electron/cli/main.js'], /electron\/transports may not import/);
    await blockedFrom(file, ['dockerode', 'better-sqlite3']);
  });

  it('electron/cli: the app (composition root), its paths and version, transports, core and shared; not features or adapters', async () => {
    await allowedFrom('electron/cli/x.ts', ['electron/app.js', 'electron/app-paths.js', 'electron/version.js', 'electron/core/redact.js', 'shared/client.js', 'commander']);
    await allowedFrom('electron/cli/commands/x.ts', ['electron/transports/ws/ws-server.js', 'electron/cli/context.js', 'node:child_process']);
    await blockedFrom(
      'electron/cli/commands/x.ts',
      ['electron/features/build/build-run.js', 'electron/adapters/nx/nx-workspace.js', 'electron/shell/start-shell.js', 'electron/main/index.js'],
      /electron\/cli may not import/,
    );
    // A single module in the list is that module only, not every file whose name starts with it.
    await blockedFrom('electron/cli/x.ts', ['electron/app-extra.js']);
    await blockedFrom('electron/cli/x.ts', ['better-sqlite3', 'electron']);
  });

  it('electron/shell: the IPC transport, core and shared; not the app, adapters or other transports', async () => {
    const file = 'electron/shell/x.ts';
    await allowedFrom(file, ['electron/transports/ipc/main-bridge.js', 'electron/core/events.js', 'shared/contract.js', 'node:path']);
    await blockedFrom(file, ['electron/app.js', 'electron/adapters/sqlite/sqlite-store.js', 'electron/transports/ws/ws-server.js', 'electron/features/app/handlers.js'], /electron\/shell may not import/);
    await blockedFrom(file, ['electron']);
  });

  it('electron/main: electron, the app, its paths and the shell; nothing deeper', async () => {
    const file = 'electron/main/x.ts';
    await allowedFrom(file, ['electron', 'electron/app.js', 'electron/app-paths.js', 'electron/shell/start-shell.js', 'node:path']);
    await blockedFrom(file, ['electron/core/dispatcher.js', 'electron/features/build/handlers.js', 'electron/transports/ws/ws-server.js', 'electron/adapters/nx/nx-workspace.js'], /electron\/main may not import/);
  });

  it('electron/preload: electron and the IPC transport only; no Node modules', async () => {
    const file = 'electron/preload/x.ts';
    await allowedFrom(file, ['electron', 'electron/transports/ipc/preload-api.js', 'shared/channel.js']);
    await blockedFrom(file, ['node:fs', 'path', 'node:child_process'], /sandboxed preload/);
    await blockedFrom(file, ['electron/app.js', 'electron/core/dispatcher.js', 'electron/transports/ws/ws-server.js'], /electron\/preload may not import/);
  });

  it('electron/app.ts: core, adapters, features, transports, version and shared; not the entry points', async () => {
    const file = 'electron/app.ts';
    await allowedFrom(file, [
      'electron/core/dispatcher.js',
      'electron/adapters/docker/docker-engine.js',
      'electron/features/build/handlers.js',
      'electron/transports/in-process.js',
      'electron/version.js',
      'shared/channel.js',
      'node:crypto',
    ]);
    await blockedFrom(file, ['electron/cli/main.js', 'electron/main/index.js', 'electron/preload/index.js', 'electron/shell/start-shell.js'], /composition root/);
    await blockedFrom(file, ['electron']);
  });

  it('electron/app-paths.ts and electron/version.ts: shared and package.json only', async () => {
    await allowedFrom('electron/version.ts', ['shared/errors.js']);
    await expectAllowed('electron/version.ts', "import pkg from '../package.json' with { type: 'json' };\nexport const v = pkg;\n");
    await blockedFrom('electron/app-paths.ts', ['electron/app.js', 'electron/core/events.js', 'electron/cli/main.js']);
  });

  it('names the layer, the import and where it may go in the message', async () => {
    const [message] = await layerErrors('electron/features/build/x.ts', importing('../../adapters/git/git.js'));
    expect(message).toContain('electron/features may not import "../../adapters/git/git.js" (electron/adapters/git/git.js)');
    expect(message).toContain('electron/features/, electron/core/, shared/');
  });
});
