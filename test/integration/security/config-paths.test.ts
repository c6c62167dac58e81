// Paths from configuration stay inside the workspace, symlinks followed: `..`, absolute paths, a
// symlinked folder and a symlinked file that lead outside are CONFIG_INVALID naming the file, the field
// and where the path really leads. Inside a build context, a symlink that points outside is left out of
// the archive, and the build log says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjectSetup } from '../../../electron/adapters/config/load-config.js';
import { collectBuildContext } from '../../../electron/adapters/docker/build-context.js';
import type { WorkspaceProject } from '../../../shared/domain.js';

const temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-paths-')));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const outside = path.join(temp, 'outside');
fs.mkdirSync(path.join(outside, 'deploy'), { recursive: true });
fs.writeFileSync(path.join(outside, 'Dockerfile'), 'FROM busybox:1.36.1\nCOPY . /ctx\n');
fs.writeFileSync(path.join(outside, 'private.txt'), 'not yours\n');

let counter = 0;
/** A workspace with one project `svc` at services/svc whose convoy block is `block`. */
function workspace(block: Record<string, unknown>, setup: (projectRoot: string) => void = () => {}): { root: string; file: string; project: WorkspaceProject } {
  const root = path.join(temp, `ws${++counter}`);
  const projectRoot = path.join(root, 'services', 'svc');
  fs.mkdirSync(projectRoot, { recursive: true });
  fs.writeFileSync(path.join(projectRoot, 'Dockerfile'), 'FROM busybox:1.36.1\n');
  const file = path.join(projectRoot, 'package.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'svc', convoy: { image: 'shop/svc', ...block } }));
  setup(projectRoot);
  const project: WorkspaceProject = {
    name: 'svc',
    root: 'services/svc',
    type: 'application',
    tags: [],
    dependencies: [],
    capabilities: { dockerfile: null, manifests: null, test: null, buildable: true, deployable: false },
  };
  return { root, file, project };
}

function refused(block: Record<string, unknown>, field: string, resolved: string, setup?: (projectRoot: string) => void): string {
  const { root, file, project } = workspace(block, setup);
  const result = loadProjectSetup(root, project);
  expect(result?.ok, JSON.stringify(result)).toBe(false);
  if (result?.ok !== false) throw new Error('unreachable');
  expect(result.error.code).toBe('CONFIG_INVALID');
  expect(result.error.message).toContain(file);
  expect(result.error.message).toContain(`"${field}"`);
  expect(result.error.message).toContain(resolved);
  return result.error.message;
}

describe('configured paths stay inside the workspace', () => {
  it('refuses `..` out of the workspace in context, dockerfile and manifests', () => {
    expect(refused({ context: '../../../outside' }, 'convoy.context', outside)).toMatch(/outside the workspace/);
    refused({ dockerfile: '../../../outside/Dockerfile' }, 'convoy.dockerfile', path.join(outside, 'Dockerfile'));
    refused({ manifests: '../../../outside/deploy' }, 'convoy.manifests', path.join(outside, 'deploy'));
  });

  it('refuses absolute paths', () => {
    refused({ context: outside }, 'convoy.context', outside);
    refused({ manifests: path.join(outside, 'deploy') }, 'convoy.manifests', path.join(outside, 'deploy'));
  });

  it('follows a symlinked folder to where it really leads', () => {
    refused({ context: 'linked' }, 'convoy.context', outside, (p) => fs.symlinkSync(outside, path.join(p, 'linked')));
    // the default manifests folder obeys the same rule
    refused({}, 'convoy.manifests (default deploy)', path.join(outside, 'deploy'), (p) => fs.symlinkSync(path.join(outside, 'deploy'), path.join(p, 'deploy')));
  });

  it('follows a symlinked file to where it really leads', () => {
    refused({ dockerfile: 'Dockerfile.outside' }, 'convoy.dockerfile', path.join(outside, 'Dockerfile'), (p) =>
      fs.symlinkSync(path.join(outside, 'Dockerfile'), path.join(p, 'Dockerfile.outside')),
    );
  });

  it('accepts paths that stay inside, through `..` and symlinks within the workspace', () => {
    const { root, project } = workspace({ context: '../shared-context', dockerfile: 'Dockerfile' }, (p) => {
      const shared = path.join(p, '..', 'shared-context');
      fs.mkdirSync(shared);
      fs.writeFileSync(path.join(shared, 'Dockerfile'), 'FROM busybox:1.36.1\n');
      fs.symlinkSync(shared, path.join(p, 'ctx-link'));
    });
    const result = loadProjectSetup(root, project);
    expect(result?.ok, JSON.stringify(result)).toBe(true);
    if (result?.ok) expect(result.setup.contextDir).toBe(path.join(root, 'services', 'shared-context'));
  });
});

describe('symlinks inside a build context', () => {
  it('leaves out links that point outside the context and says so; keeps links inside it', async () => {
    const context = path.join(temp, 'ctx');
    fs.mkdirSync(path.join(context, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM busybox:1.36.1\nCOPY . /ctx\n');
    fs.writeFileSync(path.join(context, 'sub', 'file.txt'), 'in\n');
    fs.symlinkSync(path.join(outside, 'private.txt'), path.join(context, 'leak-file'));
    fs.symlinkSync(outside, path.join(context, 'leak-dir'));
    fs.symlinkSync('../outside/private.txt', path.join(context, 'leak-relative'));
    fs.symlinkSync('sub/file.txt', path.join(context, 'inside-link'));
    const collected = await collectBuildContext(context, 'Dockerfile', 'svc');
    const paths = collected.entries.map((e) => e.path);
    expect(paths).toContain('inside-link');
    expect(paths).not.toContain('leak-file');
    expect(paths).not.toContain('leak-dir');
    expect(paths).not.toContain('leak-relative');
    expect(collected.notes).toEqual([
      `Left out of the build context of svc: symlink leak-dir -> ${outside} points outside the context (${outside})`,
      `Left out of the build context of svc: symlink leak-file -> ${path.join(outside, 'private.txt')} points outside the context (${path.join(outside, 'private.txt')})`,
      `Left out of the build context of svc: symlink leak-relative -> ../outside/private.txt points outside the context (${path.join(outside, 'private.txt')})`,
    ]);
  });
});
