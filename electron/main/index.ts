// Electron main entry (bundled to dist/electron/main.cjs): hands the real Electron objects and the
// composition root to the shell wiring in ../shell/start-shell.ts, which holds all the logic.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, dialog, ipcMain, session } from 'electron';
import { createApp } from '../app.js';
import { resolveDataDir } from '../app-paths.js';
import { type ShellState, startShell } from '../shell/start-shell.js';

// In the CJS bundle import.meta.url is shimmed to the bundle's own file (see build/build-electron.mjs).
const mainDir = path.dirname(fileURLToPath(import.meta.url));

export const shell: Promise<ShellState> = startShell(
  { app, BrowserWindow, dialog, ipcMain, session },
  { createApp, resolveDataDir, mainDir },
).catch((error: unknown) => {
  dialog.showErrorBox('Convoy could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  app.quit();
  return { status: 'failed', error } as const;
});
