// Paths in convoy.yaml are read the way a user writes them: `~/…` is the home folder, a relative
// path is relative to the workspace root.
import os from 'node:os';
import path from 'node:path';

export function expandPath(file: string, workspaceRoot: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(workspaceRoot, file);
}
