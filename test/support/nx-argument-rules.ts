// The affected arguments nx refuses together (yargs conflicts and implies of `nx show projects
// --affected`, the same in Nx 20 to 24). Convoy's contract must refuse each (test/unit/shared), and
// each version's own nx does (test/integration/nx-compat).
export const NX_REFUSES: Array<{ base?: string; head?: string; uncommitted?: boolean; untracked?: boolean; files?: string[] }> = [
  { base: 'main', uncommitted: true },
  { base: 'main', head: 'main', uncommitted: true },
  { base: 'main', untracked: true },
  { base: 'main', head: 'main', untracked: true },
  { uncommitted: true, untracked: true },
  { files: ['nx.json'], base: 'main' },
  { files: ['nx.json'], uncommitted: true },
  { files: ['nx.json'], untracked: true },
  { head: 'main' },
];
