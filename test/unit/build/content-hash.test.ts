// The content hash and the build context it is made from: deterministic, blind to mtimes and the order
// files were written in, sensitive to everything Docker would build from, and blind to what
// .dockerignore keeps out. No Docker Engine needed.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectBuildContext, packBuildContext } from '../../../electron/adapters/docker/build-context.js';
import { TAG_HASH_LENGTH, imageTag } from '../../../electron/adapters/docker/content-hash.js';
import { createImageBuilder } from '../../../electron/adapters/docker/image-builder.js';
import type { BuildSpec } from '../../../electron/core/ports/image-builder.js';
import { ConvoyError } from '../../../shared/errors.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/shop/services/catalog-api', import.meta.url));

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Files = Record<string, string>;

async function makeContext(files: Files, order: 'as-given' | 'reversed' = 'as-given'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'convoy-hash-'));
  dirs.push(dir);
  const entries = Object.entries(files);
  if (order === 'reversed') entries.reverse();
  for (const [rel, content] of entries) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

// contentHash never talks to the engine; an endpoint nobody listens on proves it.
const builder = createImageBuilder({ endpoint: 'unix:///nonexistent/convoy-test.sock' });

function spec(contextDir: string, extra: Partial<BuildSpec> = {}): BuildSpec {
  return {
    project: 'svc',
    contextDir,
    dockerfile: 'Dockerfile',
    buildArgs: {},
    repository: 'convoy-test/svc',
    labels: {},
    ...extra,
  };
}

const hashOf = (dir: string, extra: Partial<BuildSpec> = {}) => builder.contentHash(spec(dir, extra));

const BASE: Files = {
  Dockerfile: 'FROM busybox:1.36.1\nCOPY . /app/\n',
  'app/main.sh': 'echo hi\n',
  'app/lib/util.sh': 'util\n',
  'README.md': 'readme\n',
};

async function sent(dir: string, dockerfile = 'Dockerfile'): Promise<string[]> {
  return (await collectBuildContext(dir, dockerfile, 'svc')).entries.map((e) => e.path);
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ConvoyError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a ConvoyError');
}

describe('content hash', () => {
  it('is a sha256 hex digest and its tag is a prefix of it', async () => {
    const hash = await hashOf(await makeContext(BASE));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(imageTag(hash)).toBe(hash.slice(0, TAG_HASH_LENGTH));
    expect(imageTag(hash)).not.toBe('latest');
  });

  it('is the same for the same files written in another order, with other mtimes, in another folder', async () => {
    const a = await makeContext(BASE);
    const b = await makeContext(BASE, 'reversed');
    await utimes(path.join(b, 'app/main.sh'), new Date('2001-01-01'), new Date('2001-01-01'));
    await utimes(path.join(b, 'Dockerfile'), new Date('2030-01-01'), new Date('2030-01-01'));
    expect(await hashOf(a)).toBe(await hashOf(b));
    expect(await hashOf(a)).toBe(await hashOf(a));
  });

  it('ignores labels and the repository (they do not change what is built)', async () => {
    const dir = await makeContext(BASE);
    expect(await hashOf(dir, { labels: { 'org.opencontainers.image.created': 'now' }, repository: 'other/x' })).toBe(
      await hashOf(dir),
    );
  });

  it('changes with a context file, a new file, a new empty folder, the executable bit and a symlink target', async () => {
    const dir = await makeContext(BASE);
    const seen = new Set([await hashOf(dir)]);
    const expectNew = async (what: string) => {
      const hash = await hashOf(dir);
      expect(seen.has(hash), `${what} changes the hash`).toBe(false);
      seen.add(hash);
    };
    await writeFile(path.join(dir, 'app/main.sh'), 'echo hello\n');
    await expectNew('file content');
    await writeFile(path.join(dir, 'app/new.sh'), '');
    await expectNew('a new empty file');
    await mkdir(path.join(dir, 'app/empty'));
    await expectNew('a new empty folder');
    await chmod(path.join(dir, 'app/main.sh'), 0o755);
    await expectNew('the executable bit');
    await symlink('main.sh', path.join(dir, 'app/link'));
    await expectNew('a new symlink');
    await rm(path.join(dir, 'app/link'));
    await symlink('lib/util.sh', path.join(dir, 'app/link'));
    await expectNew('a symlink target');
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:1.36.1\nCOPY . /srv/\n');
    await expectNew('the Dockerfile');
  });

  it('does not change with other permission bits than executable', async () => {
    const dir = await makeContext(BASE);
    await chmod(path.join(dir, 'README.md'), 0o644);
    const before = await hashOf(dir);
    await chmod(path.join(dir, 'README.md'), 0o600);
    expect(await hashOf(dir)).toBe(before);
  });

  it('covers build args (names and values, not their order) and the target', async () => {
    const dir = await makeContext(BASE);
    const ab = await hashOf(dir, { buildArgs: { A: '1', B: '2' } });
    expect(await hashOf(dir, { buildArgs: { B: '2', A: '1' } })).toBe(ab);
    expect(await hashOf(dir, { buildArgs: { A: '1', B: '3' } })).not.toBe(ab);
    expect(await hashOf(dir, { buildArgs: { A: '1', C: '2' } })).not.toBe(ab);
    expect(await hashOf(dir, { buildArgs: { A: '12' } })).not.toBe(await hashOf(dir, { buildArgs: { A: '1', '2': '' } }));
    expect(await hashOf(dir, { target: 'test' })).not.toBe(await hashOf(dir));
    expect(await hashOf(dir, { target: 'test' })).not.toBe(await hashOf(dir, { target: 'prod' }));
  });

  it('covers which Dockerfile is used', async () => {
    const dir = await makeContext({ ...BASE, 'build/Dockerfile.test': 'FROM busybox:1.36.1\n' });
    expect(await hashOf(dir, { dockerfile: 'build/Dockerfile.test' })).not.toBe(await hashOf(dir));
  });
});

describe('.dockerignore', () => {
  it('leaves ignored files out of the hash and of what is sent', async () => {
    const dir = await makeContext({ ...BASE, '.dockerignore': 'secret.txt\n*.log\n', 'secret.txt': 'one', 'x.log': 'a' });
    const before = await hashOf(dir);
    await writeFile(path.join(dir, 'secret.txt'), 'two');
    await writeFile(path.join(dir, 'x.log'), 'b');
    await writeFile(path.join(dir, 'y.log'), 'new');
    expect(await hashOf(dir)).toBe(before);
    expect(await sent(dir)).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'app', 'app/lib', 'app/lib/util.sh', 'app/main.sh']);
    await writeFile(path.join(dir, 'app/main.sh'), 'changed');
    expect(await hashOf(dir)).not.toBe(before);
  });

  it('applies `!` exceptions, `**`, and folder patterns to everything below them', async () => {
    const dir = await makeContext({
      ...BASE,
      '.dockerignore': '**/*.tmp\n*.md\n!README.md\ndocs\n!docs/keep.txt\n',
      'NOTES.md': 'n',
      'app/deep/x.tmp': 't',
      'x.tmp': 't',
      'docs/a.txt': 'a',
      'docs/sub/b.txt': 'b',
      'docs/keep.txt': 'k',
    });
    expect(await sent(dir)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'app',
      'app/deep', // the folder stays; only the *.tmp file in it goes
      'app/lib',
      'app/lib/util.sh',
      'app/main.sh',
      'docs/keep.txt',
    ]);
    const before = await hashOf(dir);
    await writeFile(path.join(dir, 'NOTES.md'), 'changed');
    await writeFile(path.join(dir, 'docs/sub/b.txt'), 'changed');
    await writeFile(path.join(dir, 'app/deep/x.tmp'), 'changed');
    expect(await hashOf(dir)).toBe(before);
    await writeFile(path.join(dir, 'README.md'), 'changed');
    expect(await hashOf(dir)).not.toBe(before);
  });

  it('always sends the Dockerfile and .dockerignore, even when `*` excludes everything else', async () => {
    const dir = await makeContext({ ...BASE, '.dockerignore': '*\n!app/\n', 'build/Dockerfile.ci': 'FROM busybox:1.36.1\n' });
    expect(await sent(dir)).toEqual(['.dockerignore', 'Dockerfile', 'app', 'app/lib', 'app/lib/util.sh', 'app/main.sh']);
    expect(await sent(dir, 'build/Dockerfile.ci')).toEqual([
      '.dockerignore',
      'app',
      'app/lib',
      'app/lib/util.sh',
      'app/main.sh',
      'build/Dockerfile.ci',
    ]);
    // A Dockerfile inside a folder the .dockerignore excludes (no `!` rule to walk it for) is sent too.
    const nested = await makeContext({ ...BASE, '.dockerignore': 'docker\n', 'docker/Dockerfile': 'FROM busybox:1.36.1\n', 'docker/notes.txt': 'x\n' });
    expect(await sent(nested, 'docker/Dockerfile')).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'app', 'app/lib', 'app/lib/util.sh', 'app/main.sh', 'docker/Dockerfile']);
    // An ignored-but-sent Dockerfile still counts through its content.
    const before = await hashOf(dir);
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:1.36.1\nRUN true\n');
    expect(await hashOf(dir)).not.toBe(before);
  });

  it('sends what the example service needs and nothing else', async () => {
    const names = await sent(EXAMPLE);
    expect(names).toContain('Dockerfile');
    expect(names).toContain('.dockerignore');
    expect(names).toContain('www/healthz');
    expect(names).toContain('test/run.sh');
    expect(names.filter((n) => n.startsWith('deploy') || n === 'package.json')).toEqual([]);
  });

  it('packs exactly the collected entries with tar-fs', async () => {
    const dir = await makeContext({ ...BASE, '.dockerignore': '*\n!app/\n', 'ignored.txt': 'x' });
    await symlink('main.sh', path.join(dir, 'app/link'));
    await chmod(path.join(dir, 'app/main.sh'), 0o755);
    const context = await collectBuildContext(dir, 'Dockerfile', 'svc');
    const listing = await new Promise<string>((resolve, reject) => {
      const child = execFile('tar', ['-tvf', '-'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
      packBuildContext(context).pipe(child.stdin!);
    });
    const lines = listing.trim().split('\n');
    const names = lines.map((line) => line.split(/\s+/).slice(5).join(' ').replace(/\/$/, '').replace(/ -> .*$/, ''));
    expect(names).toEqual(context.entries.map((e) => e.path));
    expect(lines.find((l) => l.endsWith('app/main.sh'))).toMatch(/^-rwxr-xr-x/);
    expect(lines.find((l) => l.includes('app/link'))).toMatch(/^l.* app\/link -> main\.sh$/);
  });
});

describe('bad contexts', () => {
  it('refuses a missing Dockerfile with NO_DOCKERFILE naming the path', async () => {
    const dir = await makeContext({ 'app/main.sh': 'x' });
    const message = await codeOf(hashOf(dir));
    expect(message).toMatch(/^NO_DOCKERFILE: /);
    expect(message).toContain(path.join(dir, 'Dockerfile'));
    expect(await codeOf(hashOf(dir, { dockerfile: 'ops/Dockerfile' }))).toContain(path.join(dir, 'ops/Dockerfile'));
  });

  it('refuses a Dockerfile outside the context', async () => {
    const dir = await makeContext(BASE);
    expect(await codeOf(hashOf(dir, { dockerfile: '../Dockerfile' }))).toMatch(/^NO_DOCKERFILE: .*inside its build context/);
    expect(await codeOf(hashOf(dir, { dockerfile: '/etc/passwd' }))).toMatch(/^NO_DOCKERFILE: /);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable context file as BUILD_FAILED', async () => {
    const dir = await makeContext({ ...BASE, 'locked.txt': 'x' });
    await chmod(path.join(dir, 'locked.txt'), 0o000);
    expect(await codeOf(hashOf(dir))).toMatch(/^BUILD_FAILED: Cannot read the build context .*locked\.txt/);
    await chmod(path.join(dir, 'locked.txt'), 0o644);
  });

  it('refuses a missing context folder', async () => {
    expect(await codeOf(hashOf(path.join(tmpdir(), 'convoy-no-such-context-dir')))).toMatch(/^BUILD_FAILED: .*does not exist/);
  });
});
