// Pure decisions of the Electron shell: where the built files are, what the window may do, which
// Content-Security-Policy the page gets, and what to tell the user when startup fails.
// No Electron import, so all of it is unit-tested without Electron.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy as sharedPolicy } from '../../shared/csp.js';
import { makeSenderCheck } from '../transports/ipc/main-bridge.js';

export interface ShellPaths {
  /** The bundled preload script (next to main.cjs). */
  preload: string;
  /** The built renderer page. */
  rendererIndex: string;
  /** `file:` URL of rendererIndex, exactly as the window loads it. */
  rendererFileUrl: string;
  /** The dev server to load instead of rendererIndex, when allowed. */
  devServerUrl: string | null;
  /** Why VITE_DEV_SERVER_URL was ignored, when it was set but not used. */
  devServerIgnored: string | null;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `mainDir` is the folder of the running main bundle (dist/electron, or app.asar/dist/electron
 * when packaged): the preload sits beside it and the renderer in ../renderer.
 * VITE_DEV_SERVER_URL is honoured only in an unpackaged app and only on a loopback http(s) URL, so
 * a stray environment variable cannot point the privileged window at a remote site.
 */
export function resolveShellPaths(options: {
  mainDir: string;
  env?: Record<string, string | undefined>;
  isPackaged?: boolean;
}): ShellPaths {
  const preload = path.join(options.mainDir, 'preload.cjs');
  const rendererIndex = path.join(options.mainDir, '..', 'renderer', 'index.html');
  const rendererFileUrl = pathToFileURL(rendererIndex).href;
  const raw = options.env?.VITE_DEV_SERVER_URL;
  let devServerUrl: string | null = null;
  let devServerIgnored: string | null = null;
  if (raw) {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      devServerIgnored = `VITE_DEV_SERVER_URL is not a URL: ${raw}`;
    }
    if (url) {
      if (options.isPackaged) devServerIgnored = 'VITE_DEV_SERVER_URL is ignored in a packaged app';
      else if (url.protocol !== 'http:' && url.protocol !== 'https:') devServerIgnored = `VITE_DEV_SERVER_URL must be http(s): ${raw}`;
      else if (!LOOPBACK.has(url.hostname)) devServerIgnored = `VITE_DEV_SERVER_URL must be on this machine (localhost): ${raw}`;
      else if (url.username || url.password) devServerIgnored = 'VITE_DEV_SERVER_URL may not carry credentials';
      else devServerUrl = url.href;
    }
  }
  return { preload, rendererIndex, rendererFileUrl, devServerUrl, devServerIgnored };
}

/** The URL the window loads, and the predicate for "this is our page" (IPC senders, navigation). */
export function appPage(paths: ShellPaths, platform: string = process.platform): { url: string; isAppPage: (url: string) => boolean } {
  if (paths.devServerUrl) {
    return { url: paths.devServerUrl, isAppPage: makeSenderCheck({ devOrigin: new URL(paths.devServerUrl).origin }) };
  }
  return {
    url: paths.rendererFileUrl,
    isAppPage: makeSenderCheck({ fileUrl: paths.rendererFileUrl, ignorePathCase: platform === 'win32' }),
  };
}

export interface HardenedWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: boolean;
}

export interface ShellWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  webPreferences: HardenedWebPreferences;
}

export function windowOptions(preload: string): ShellWindowOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    // Shown on ready-to-show, so the user never sees a blank frame.
    show: false,
    title: 'Convoy',
    backgroundColor: '#111418',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/**
 * The page's Content-Security-Policy header (one source: shared/csp.ts). Production allows only the
 * app's own files; development adds what Vite needs (its inline React-refresh preamble and the HMR
 * socket of the dev origin).
 */
export function contentSecurityPolicy(devServerUrl: string | null = null): string {
  if (!devServerUrl) return sharedPolicy();
  const dev = new URL(devServerUrl);
  return sharedPolicy({ inlineScripts: true, connect: [`${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`] });
}

/** Adds the CSP header to a response's headers, replacing any the server sent (any spelling). */
export function withCspHeader(
  headers: Record<string, string | string[]> | undefined,
  csp: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === 'content-security-policy') continue;
    out[key] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

function errorCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return null;
}

export function isStoreError(err: unknown): boolean {
  const code = errorCode(err);
  if (code?.startsWith('STORE_')) return true;
  return err instanceof Error && err.name === 'StoreError';
}

/** The title and text of the error box shown when startup fails. */
export function describeStartupError(err: unknown, dataDir: string | null): { title: string; content: string } {
  const message =
    err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  const code = errorCode(err);
  const where = dataDir ? `\n\nData folder: ${dataDir}` : '';
  if (isStoreError(err)) {
    // The store's messages already say what to do (close the other Convoy, move the file aside…).
    return { title: 'Convoy cannot open its data', content: `${message}${code ? ` [${code}]` : ''}${where}` };
  }
  return { title: 'Convoy could not start', content: `${message}${code ? ` [${code}]` : ''}${where}` };
}
