// Preload (bundled to dist/electron/preload.cjs, runs sandboxed): exposes exactly one object,
// `window.convoy`, with `invoke` and `onEvent`. ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from '../transports/ipc/preload-api.js';

contextBridge.exposeInMainWorld('convoy', createPreloadApi(ipcRenderer));
