// The content hash that names an image: sha256 over everything that decides what Docker builds —
// every context entry sent (path, kind, executable bit, file bytes or symlink target), the Dockerfile
// (path and content), the build args (sorted by name) and the target stage. Timestamps, owners and the
// order files were found in are not part of it, so the same inputs give the same hash on any machine.
// Labels (revision, created, release) are deliberately left out: they change on every release.
import { createHash } from 'node:crypto';
import type { BuildContext } from './build-context.js';

export { TAG_HASH_LENGTH, imageTag } from '../../core/image-tag.js';

/** Bump when the serialisation below changes, so old tags are not mistaken for new ones. */
const FORMAT = 'convoy-image-content v1';

export interface HashInputs {
  buildArgs: Record<string, string>;
  target?: string;
}

export function computeContentHash(context: BuildContext, inputs: HashInputs): string {
  const hash = createHash('sha256');
  // One JSON array per line: values cannot break out of their field.
  const line = (...fields: unknown[]) => hash.update(`${JSON.stringify(fields)}\n`);
  line(FORMAT);
  line('dockerfile', context.dockerfile, createHash('sha256').update(context.dockerfileContent).digest('hex'));
  line('target', inputs.target ?? null);
  const names = Object.keys(inputs.buildArgs).sort();
  for (const name of names) line('arg', name, inputs.buildArgs[name]);
  for (const entry of context.entries) {
    if (entry.type === 'file') line('file', entry.path, entry.executable ? 'x' : '-', entry.sha256);
    else if (entry.type === 'symlink') line('symlink', entry.path, entry.linkTarget);
    else line('dir', entry.path);
  }
  return hash.digest('hex');
}
