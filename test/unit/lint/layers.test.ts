// Proves the layer rules of eslint.config.js fire: snippets are linted as if they lived at
// virtual paths in the repository (the files need not exist).
import { describe, it } from 'vitest';
import { expectAllowed, expectBlocked } from './lint-helpers.js';

describe('layer rules', () => {
  describe('electron anywhere but main/preload', () => {
    it('allows electron in electron/main and electron/preload', async () => {
      await expectAllowed('electron/main/x.ts', "import { app } from 'electron';\nexport const a = app;\n");
      await expectAllowed('electron/preload/x.ts', "import { contextBridge } from 'electron';\nexport const c = contextBridge;\n");
    });

    it('forbids electron elsewhere, including type imports', async () => {
      for (const file of ['electron/transports/ipc/x.ts', 'electron/x.ts', 'electron/transports/ws/x.ts', 'electron/cli/x.ts', 'electron/adapters/x.ts', 'test/unit/x.test.ts', 'build/x.mjs']) {
        await expectBlocked(file, "import { app } from 'electron';\nexport const a = app;\n", /electron\/main and electron\/preload/);
      }
      await expectBlocked('electron/transports/ipc/x.ts', "import type { IpcMain } from 'electron';\nexport type M = IpcMain;\n");
      await expectBlocked('electron/transports/ipc/x.ts', "export { app } from 'electron';\n");
    });
  });

  describe('electron/core', () => {
    it('forbids Node builtins with or without node:', async () => {
      await expectBlocked('electron/core/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n", /port/);
      for (const mod of ['fs', 'path', 'child_process', 'os', 'crypto', 'fs/promises', 'node:child_process']) {
        await expectBlocked('electron/core/deep/x.ts', `import * as m from '${mod}';\nexport const x = m;\n`);
      }
    });

    it("forbids adapters' libraries", async () => {
      for (const mod of ['dockerode', '@kubernetes/client-node', 'better-sqlite3', 'nx', '@nx/devkit', 'nx/src/devkit-exports', 'ws', 'electron']) {
        await expectBlocked('electron/core/x.ts', `import * as m from '${mod}';\nexport const x = m;\n`);
      }
    });

    it('forbids reaching into adapters, transports, entry points and the composition root', async () => {
      for (const spec of [
        '../adapters/docker/docker-engine.js',
        '../transports/ws/ws-server.js',
        '../cli/main.js',
        '../main/index.js',
        '../preload/index.js',
        '../app.js',
        '../transports/ipc/main-bridge.js',
        '../transports/in-process.js',
      ]) {
        await expectBlocked('electron/core/x.ts', `import * as m from '${spec}';\nexport const x = m;\n`);
      }
      // From a subfolder of core, by where the path really lands.
      await expectBlocked('electron/core/ports/x.ts', "import * as m from '../../adapters/nx/nx-workspace.js';\nexport const x = m;\n");
      await expectBlocked('electron/core/ports/x.ts', "import * as m from '../../app-paths.js';\nexport const x = m;\n");
      await expectBlocked('electron/core/x.ts', "export const load = () => import('../adapters/git/git.js');\n");
    });

    it('allows shared/ and core itself', async () => {
      await expectAllowed(
        'electron/core/x.ts',
        "import { commands } from '../../shared/contract.js';\nimport type { EventSink } from './events.js';\nexport const c: unknown = commands;\nexport type E = EventSink;\n",
      );
      await expectAllowed('electron/core/ports/x.ts', "import type { DockerStatus } from '../../../shared/domain.js';\nimport { createEventBus } from '../events.js';\nexport type D = DockerStatus;\nexport const b = createEventBus;\n");
    });
  });

  describe('renderer', () => {
    it('forbids electron and Node builtins', async () => {
      await expectBlocked('renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n");
      await expectBlocked('renderer/components/x.tsx', "import fs from 'node:fs';\nexport const f = fs;\n");
      await expectBlocked('renderer/x.ts', "import path from 'path';\nexport const p = path;\n");
    });

    it('forbids relative imports leaving renderer/ except into shared/', async () => {
      await expectBlocked('renderer/x.ts', "import { createApp } from '../electron/app.js';\nexport const a = createApp;\n");
      await expectBlocked('renderer/views/x.tsx', "import * as m from '../../electron/core/dispatcher.js';\nexport const x = m;\n");
      await expectBlocked('renderer/views/x.tsx', "import * as m from '../../test/unit/helpers.js';\nexport const x = m;\n", /renderer/);
      await expectBlocked('renderer/x.ts', "import pkg from '../package.json';\nexport const p = pkg;\n");
    });

    it('allows shared/, renderer/ and react', async () => {
      await expectAllowed(
        'renderer/views/deep/x.tsx',
        "import { useState } from 'react';\nimport { createClient } from '../../../shared/client.js';\nimport { Button } from '../../components/button.js';\nexport const x = [useState, createClient, Button];\n",
      );
    });
  });

  describe('shared', () => {
    it('allows only zod and shared/ itself', async () => {
      await expectAllowed('shared/x.ts', "import { z } from 'zod';\nimport { ErrorCode } from './errors.js';\nexport const x = [z, ErrorCode];\n");
      await expectAllowed('shared/sub/x.ts', "import { commands } from '../contract.js';\nexport const c = commands;\n");
    });

    it('forbids Node builtins, React, Electron and other packages', async () => {
      for (const mod of ['node:fs', 'fs', 'react', 'electron', 'commander', 'yaml']) {
        await expectBlocked('shared/x.ts', `import * as m from '${mod}';\nexport const x = m;\n`);
      }
    });

    it('forbids relative imports into electron/ or renderer/', async () => {
      await expectBlocked('shared/x.ts', "import * as m from '../electron/core/events.js';\nexport const x = m;\n");
      await expectBlocked('shared/x.ts', "import * as m from '../renderer/app.js';\nexport const x = m;\n");
      await expectBlocked('shared/x.ts', "import * as m from '../test/x.js';\nexport const x = m;\n", /shared/);
    });
  });

  it('leaves ordinary code elsewhere alone', async () => {
    await expectAllowed('electron/adapters/x.ts', "import fs from 'node:fs';\nimport Docker from 'dockerode';\nexport const x = [fs, Docker];\n");
    await expectAllowed('electron/transports/ipc/x.ts', "import type { Dispatcher } from '../../core/dispatcher.js';\nexport type D = Dispatcher;\n");
  });
});
