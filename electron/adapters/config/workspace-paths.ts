// Every path that comes from configuration must stay inside the workspace: a project block is part of
// the repository, and `context: ../../..` (or a symlink to /) would otherwise build, test or deploy
// files from anywhere on the machine. Paths are resolved the way the file system will follow them
// (symlinks included) and compared with the workspace's own real path.
import fs from 'node:fs';
import path from 'node:path';
import { ConvoyError } from '../../../shared/errors.js';

/** The real path of `p`; for a path that does not exist yet, the real path of its nearest existing parent plus the rest. */
export function realPathOf(p: string): string {
  const absolute = path.resolve(p);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** True when `child` is `parent` or inside it (both real, absolute paths). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface PathSource {
  /** The file the value was read from. */
  file: string;
  /** The field, as the user would look for it, e.g. `convoy.context`. */
  field: string;
}

/**
 * `value` resolved against `base` (symlinks followed), required to stay inside `workspaceRoot`.
 * Returns the path as written (joined to base), so messages and labels keep the user's names; throws
 * CONFIG_INVALID naming the file, the field and where the path really leads otherwise.
 */
export function resolveInsideWorkspace(workspaceRoot: string, base: string, value: string, source: PathSource): string {
  const where = `${source.file} "${source.field}"`;
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    throw new ConvoyError(
      'CONFIG_INVALID',
      `${where} is an absolute path (${value}); give a path relative to ${base}, inside the workspace ${workspaceRoot}`,
    );
  }
  const joined = path.resolve(base, value);
  const real = realPathOf(joined);
  const root = realPathOf(workspaceRoot);
  if (!isInside(root, real)) {
    throw new ConvoyError(
      'CONFIG_INVALID',
      `${where} (${JSON.stringify(value)}) resolves to ${real}, outside the workspace ${root}; Convoy only reads files inside the workspace — move the files in, or fix the path`,
    );
  }
  return joined;
}
