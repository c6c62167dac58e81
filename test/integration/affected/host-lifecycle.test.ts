// The graph cache and the Nx host when the workspace is a folder inside a larger repository, when
// hosts are replaced while calls wait on them, and when they sit idle.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nxWorkspace } from '../../support/nx-workspace.js';
import { startNxHost } from '../../../electron/adapters/nx/nx-host-client.js';
import { cacheFile } from '../../../electron/adapters/nx/graph-cache.js';
import { NODE_MODULES, git, packageTemplate, removeWorkspaces, tempDir, writeFiles } from './fixtures.js';

afterAll(removeWorkspaces);

function nestedWorkspace(): { repo: string; dir: string } {
  const repo = tempDir('nested');
  const dir = path.join(repo, 'tools', 'ws');
  fs.mkdirSync(dir, { recursive: true });
  writeFiles(dir, packageTemplate());
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  git(repo, 'init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(repo, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return { repo, dir };
}

const depsOf = (graph: { projects: { name: string; dependencies: string[] }[] }, name: string) =>
  graph.projects.find((p) => p.name === name)?.dependencies;

describe('graph cache in a workspace below the repository root', () => {
  it('sees a second edit to an already dirty file', async () => {
    const { dir } = nestedWorkspace();
    const port = nxWorkspace({ cacheDir: path.join(dir, '..', 'cache') });
    try {
      expect(depsOf(await port.open(dir, {}), '@acme/core')).toEqual(['@acme/util']);
      const file = path.join(dir, 'libs/core/package.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { dependencies: Record<string, string> };
      json.dependencies['@acme/ui'] = '*';
      fs.writeFileSync(file, JSON.stringify(json, null, 2));
      const first = await port.open(dir, {});
      expect(first.cached).toBe(false);
      expect(depsOf(first, '@acme/core')).toEqual(['@acme/ui', '@acme/util']);
      // The same file, dirty already, edited again.
      delete json.dependencies['@acme/ui'];
      delete json.dependencies['@acme/util'];
      fs.writeFileSync(file, JSON.stringify(json, null, 2));
      const second = await port.open(dir, {});
      expect(second.cached).toBe(false);
      expect(depsOf(second, '@acme/core')).toEqual([]);
      expect((await port.open(dir, {})).cached).toBe(true);
    } finally {
      port.close();
    }
  });
});

describe('Nx host lifecycle', () => {
  it('fails waiting calls when a host is stopped, instead of leaving them pending', async () => {
    const { dir } = nestedWorkspace();
    const host = startNxHost(dir);
    const pending = host.graph();
    host.close();
    await expect(pending).rejects.toMatchObject({ code: 'WORKSPACE_ERROR', message: expect.stringContaining('was stopped') });
    // A stopped host starts again on the next call.
    const graph = await host.graph();
    expect(graph.projects.map((p) => p.name)).toContain('@acme/core');
    host.close();
  });

  it('a refresh while another open waits does not strand the first one', async () => {
    const { dir } = nestedWorkspace();
    const port = nxWorkspace({ cacheDir: path.join(dir, '..', 'cache2') });
    try {
      const first = port.open(dir, {});
      const second = port.open(dir, { refresh: true });
      const [a, b] = await Promise.all([first, second]);
      expect(a.projects.length).toBe(b.projects.length);
      expect(a.projects.length).toBeGreaterThan(0);
    } finally {
      port.close();
    }
  });

  it('stops an idle host, and answers again afterwards', async () => {
    const { dir } = nestedWorkspace();
    const port = nxWorkspace({ cacheDir: path.join(dir, '..', 'cache3'), hostIdleMs: 50 });
    try {
      await port.open(dir, {});
      // The host has nothing to do now: it must be gone within the deadline.
      const deadline = Date.now() + 5000;
      while (port.hostsRunning() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(port.hostsRunning()).toBe(0);
      const again = await port.open(dir, { refresh: true });
      expect(again.projects.length).toBeGreaterThan(0);
    } finally {
      port.close();
    }
  });

  it('does not keep a graph read while the workspace changed under it', async () => {
    const { repo, dir } = nestedWorkspace();
    const cacheDir = path.join(dir, '..', 'cache4');
    const manifest = path.join(dir, 'libs/core/package.json');
    const original = fs.readFileSync(manifest, 'utf8');
    // A host whose build overlaps an edit: Nx reads the edited manifest (core → ui) although the
    // state Convoy keyed the build by was the committed one.
    const editing = (root: string) => {
      const host = startNxHost(root);
      return {
        ...host,
        nxDir: host.nxDir,
        nxSource: host.nxSource,
        graph: async () => {
          const json = JSON.parse(original) as { dependencies: Record<string, string> };
          json.dependencies['@acme/ui'] = '*';
          fs.writeFileSync(manifest, JSON.stringify(json, null, 2));
          return host.graph();
        },
      };
    };
    // An unusable cache entry: Convoy reads the state first, then builds (no early start), so the
    // edit lands between the state it keys by and the files Nx reads.
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cacheFile(cacheDir, dir), '{}');
    const port = nxWorkspace({ cacheDir, startHost: editing });
    expect(depsOf(await port.open(dir, {}), '@acme/core')).toEqual(['@acme/ui', '@acme/util']);
    await port.close(); // waits for the background check, which sees the edit
    // Back to the committed state: the graph read during the edit must not be served for it.
    git(repo, 'checkout', '--', path.relative(repo, manifest));
    const again = nxWorkspace({ cacheDir });
    try {
      const graph = await again.open(dir, {});
      expect(graph.cached).toBe(false);
      expect(depsOf(graph, '@acme/core')).toEqual(['@acme/util']);
    } finally {
      await again.close();
    }
  });
});
