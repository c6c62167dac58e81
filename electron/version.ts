// Convoy's version, from package.json; on its own so that `convoy --version` and `--help` do not load
// the composition root (Kubernetes client, dockerode, SQLite).
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
