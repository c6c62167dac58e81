// Packages both bundles (the Electron main process and the CLI) leave to node_modules at run time:
// native modules (better-sqlite3; ssh2 and cpu-features under dockerode) and packages that load
// files or modules by computed paths (nx, @nx/*, dockerode, @kubernetes/client-node).
export const RUNTIME_EXTERNALS = [
  'better-sqlite3',
  'nx',
  'nx/*',
  '@nx/*',
  'dockerode',
  'ssh2',
  'cpu-features',
  '@kubernetes/client-node',
];
