// Where Convoy keeps its data: --data DIR, else CONVOY_HOME, else Electron's userData (when the shell
// passes it), else the platform's per-user data folder.
import os from 'node:os';
import path from 'node:path';

export interface DataDirSources {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  electronUserData?: string | undefined;
  platform?: NodeJS.Platform;
  home?: string;
}

export function resolveDataDir(sources: DataDirSources = {}): string {
  const env = sources.env ?? process.env;
  if (sources.flag) return path.resolve(sources.flag);
  if (env.CONVOY_HOME) return path.resolve(env.CONVOY_HOME);
  if (sources.electronUserData) return sources.electronUserData;
  const home = sources.home ?? os.homedir();
  switch (sources.platform ?? process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Convoy');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Convoy');
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'convoy');
  }
}
