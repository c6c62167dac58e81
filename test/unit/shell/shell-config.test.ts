// The shell's pure configuration (electron/shell/shell-config.ts): where the preload and the renderer are,
// which dev server is trusted, the CSP, and how a startup error is explained. No `electron` needed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  describeStartupError,
  isStoreError,
  resolveShellPaths,
  withCspHeader,
} from '../../../electron/shell/shell-config.js';

describe('shell-config', () => {
  it('finds the preload beside the main bundle and the renderer in ../renderer', () => {
    const mainDir = path.resolve('/app/dist/electron');
    const paths = resolveShellPaths({ mainDir });
    expect(paths.preload).toBe(path.join(mainDir, 'preload.cjs'));
    expect(paths.rendererIndex).toBe(path.resolve('/app/dist/renderer/index.html'));
    expect(paths.rendererFileUrl).toMatch(/^file:\/\/.*\/app\/dist\/renderer\/index\.html$/);
    expect(paths.devServerUrl).toBeNull();
  });

  it('accepts only a loopback dev server, and none when packaged', () => {
    const mainDir = '/app/dist/electron';
    expect(resolveShellPaths({ mainDir, env: { VITE_DEV_SERVER_URL: 'http://127.0.0.1:5173' } }).devServerUrl).toBe('http://127.0.0.1:5173/');
    for (const raw of ['https://evil.example', 'file:///etc/passwd', 'not a url', 'http://user:pw@localhost:5173']) {
      const paths = resolveShellPaths({ mainDir, env: { VITE_DEV_SERVER_URL: raw } });
      expect(paths.devServerUrl, raw).toBeNull();
      expect(paths.devServerIgnored, raw).toBeTruthy();
    }
    const packaged = resolveShellPaths({ mainDir, env: { VITE_DEV_SERVER_URL: 'http://localhost:5173' }, isPackaged: true });
    expect(packaged.devServerUrl).toBeNull();
  });

  it('builds a strict CSP, loosened only for the dev server', () => {
    const prod = contentSecurityPolicy();
    expect(prod).toContain("script-src 'self';");
    expect(prod).toContain("object-src 'none'");
    expect(prod).not.toContain('unsafe-eval');
    const dev = contentSecurityPolicy('http://localhost:5173/');
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).toContain('connect-src \'self\' ws://localhost:5173');
    expect(withCspHeader({ 'Content-Security-Policy': 'x', Server: 'vite' }, 'y')).toEqual({
      Server: ['vite'],
      'Content-Security-Policy': ['y'],
    });
  });

  it('explains store errors with their code and data folder, and other errors plainly', () => {
    expect(isStoreError({ code: 'STORE_CORRUPT', message: 'x' })).toBe(true);
    expect(isStoreError(new Error('boom'))).toBe(false);
    expect(describeStartupError({ code: 'STORE_NEWER_SCHEMA', message: 'written by schema 9' }, '/d')).toEqual({
      title: 'Convoy cannot open its data',
      content: 'written by schema 9 [STORE_NEWER_SCHEMA]\n\nData folder: /d',
    });
    const other = describeStartupError(new Error('boom'), null);
    expect(other.title).toBe('Convoy could not start');
    expect(other.content).toBe('boom');
  });
});
