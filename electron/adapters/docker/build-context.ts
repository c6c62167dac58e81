// The build context Docker receives: spec.contextDir minus what .dockerignore excludes, with Docker's
// semantics (patterns, `!` exceptions, `**`, a pattern matching a parent folder excludes its contents),
// matched by @balena/dockerignore (a port of Moby's matcher). As the Docker CLI does, the Dockerfile
// and .dockerignore are always sent.
//
// One walk decides the file list; the content hash and the tar archive are both made from that same
// list, so what is hashed is what is sent. Packing is tar-fs' with an explicit entry list: dockerode's
// own `{ context, src }` packing re-filters `src` with .dockerignore (dropping the Dockerfile when the
// file starts with `*`) and hands tar-fs absolute paths for its folder filter, which the matcher
// misreads, so every folder's contents are dropped under a `*` rule.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import dockerignoreModule from '@balena/dockerignore';
import { pack } from 'tar-fs';
import { ConvoyError } from '../../../shared/errors.js';

export interface ContextEntry {
  /** Path relative to the context root, `/`-separated. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Any executable bit set (files only; false otherwise). */
  executable: boolean;
  /** sha256 (hex) of a file's bytes. */
  sha256?: string;
  /** A symlink's target string, not followed. */
  linkTarget?: string;
}

export interface BuildContext {
  root: string;
  /** The Dockerfile's path relative to root, `/`-separated and normalised. */
  dockerfile: string;
  dockerfileContent: Buffer;
  /** Every entry that is sent, sorted by path (code-unit order). */
  entries: ContextEntry[];
  /** What the build log should say about the context (symlinks left out, …). */
  notes: string[];
}

const DOCKERIGNORE = '.dockerignore';

// A CommonJS module typed with `export default`: from ESM the factory is its `default` (it is also
// module.exports itself, with `default` pointing back at it).
const createIgnore = dockerignoreModule.default;

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The Dockerfile path relative to the context, or NO_DOCKERFILE when it points outside it. */
export function normaliseDockerfilePath(dockerfile: string, project: string): string {
  const slashed = dockerfile.replace(/\\/g, '/');
  const normal = path.posix.normalize(slashed === '' ? 'Dockerfile' : slashed).replace(/^\.\//, '');
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new ConvoyError(
      'NO_DOCKERFILE',
      `Dockerfile ${JSON.stringify(dockerfile)} of ${project} must be a file path inside its build context`,
    );
  }
  return normal;
}

/** A filter saying whether a context path is sent (true) under the folder's .dockerignore. */
export function createContextFilter(dockerignoreText: string | null): {
  keep: (relPath: string) => boolean;
  hasExceptions: boolean;
} {
  if (dockerignoreText === null) return { keep: () => true, hasExceptions: false };
  const matcher = createIgnore({ ignorecase: false }).add(dockerignoreText);
  const hasExceptions = dockerignoreText.split(/\r?\n/).some((line) => line.trim().startsWith('!'));
  return { keep: matcher.createFilter(), hasExceptions };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

/** Walks the context once and returns what Docker will be sent. */
export async function collectBuildContext(contextDir: string, dockerfile: string, project: string): Promise<BuildContext> {
  const root = path.resolve(contextDir);
  const rootStat = await stat(root).catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  });
  if (rootStat === null || !rootStat.isDirectory()) {
    throw new ConvoyError('BUILD_FAILED', `Build context ${root} of ${project} does not exist or is not a folder`);
  }

  const dockerfilePath = normaliseDockerfilePath(dockerfile, project);
  let dockerfileContent: Buffer;
  try {
    dockerfileContent = await readFile(path.join(root, dockerfilePath));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new ConvoyError(
        'NO_DOCKERFILE',
        `No Dockerfile for ${project} at ${path.join(root, dockerfilePath)} (dockerfile ${JSON.stringify(dockerfile)} in ${root})`,
      );
    }
    throw err;
  }

  const filter = createContextFilter(await readOptional(path.join(root, DOCKERIGNORE)));
  const alwaysSent = new Set([dockerfilePath, DOCKERIGNORE]);
  const entries: ContextEntry[] = [];
  const notes: string[] = [];
  const realRoot = await realpath(root);

  /**
   * A symlink whose target leads outside the context (or nowhere) is left out of the archive: inside
   * the image it would point at the builder's files, and a later COPY with dereferencing (or a
   * reader of the archive) would reach outside what the user meant to send.
   */
  async function symlinkEntry(rel: string, abs: string): Promise<ContextEntry | null> {
    const linkTarget = await readlink(abs);
    const resolved = await realpath(abs).catch(() => null);
    const lexical = path.resolve(path.dirname(abs), linkTarget);
    const inside = (p: string, base: string) => {
      const r = path.relative(base, p);
      return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
    };
    if (resolved !== null ? inside(resolved, realRoot) : inside(lexical, root)) return { path: rel, type: 'symlink', executable: false, linkTarget };
    notes.push(`Left out of the build context of ${project}: symlink ${rel} -> ${linkTarget} points outside the context (${resolved ?? lexical})`);
    return null;
  }

  async function walk(relDir: string): Promise<void> {
    const dirents = await readdir(path.join(root, relDir), { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      const rel = relDir === '' ? dirent.name : `${relDir}/${dirent.name}`;
      const abs = path.join(root, rel);
      const kept = alwaysSent.has(rel) || filter.keep(rel);
      if (dirent.isDirectory()) {
        if (kept) entries.push({ path: rel, type: 'dir', executable: false });
        // An excluded folder is still walked when a `!` exception might re-include something in it, or
        // when it holds the Dockerfile (always sent, wherever it is).
        if (kept || filter.hasExceptions || dockerfilePath.startsWith(`${rel}/`)) await walk(rel);
      } else if (!kept) {
        continue;
      } else if (dirent.isSymbolicLink()) {
        const entry = await symlinkEntry(rel, abs);
        if (entry) entries.push(entry);
      } else if (dirent.isFile()) {
        const info = await lstat(abs);
        entries.push({ path: rel, type: 'file', executable: (info.mode & 0o111) !== 0, sha256: await sha256File(abs) });
      }
      // Sockets, FIFOs and devices are not sent (tar cannot carry them meaningfully).
    }
  }
  try {
    await walk('');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConvoyError('BUILD_FAILED', `Cannot read the build context ${root} of ${project}: ${reason}`);
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, dockerfile: dockerfilePath, dockerfileContent, entries, notes };
}

/** The context as a tar stream (tar-fs), exactly the collected entries and nothing else. */
export function packBuildContext(context: BuildContext): Readable {
  return pack(context.root, {
    entries: context.entries.map((entry) => entry.path),
    // The list is complete: never walk into a listed folder on tar-fs' own.
    ignore: () => true,
    // A fixed umask so the modes sent do not depend on the shell that started Convoy.
    umask: 0o022,
  });
}
