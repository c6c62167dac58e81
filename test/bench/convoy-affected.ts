// One Convoy affected query in a fresh process, for the benchmark's cold (and disk-warm) rows:
//   convoy-affected <workspace> <cacheDir> [base] [head]
// Prints one JSON line: the sorted affected names, whether the graph came from the cache, and where
// the time went inside this process (ms since the process started, from performance.timeOrigin).
import { performance } from 'node:perf_hooks';
import { nxWorkspace } from '../support/nx-workspace.js';

const importedAt = performance.now();
const [dir, cacheDir, base = 'main', head = 'feature'] = process.argv.slice(2);
if (!dir || !cacheDir) {
  console.error('usage: convoy-affected <workspace> <cacheDir> [base] [head]');
  process.exit(2);
}

const workspace = nxWorkspace({ cacheDir });
try {
  const start = performance.now();
  const result = await workspace.affected({ dir, base, head }, {});
  const done = performance.now();
  process.stdout.write(
    `${JSON.stringify({
      names: result.projects.map((p) => p.name).sort(),
      graphCached: result.graphCached,
      importedAt,
      affectedMs: done - start,
      doneAt: done,
    })}\n`,
  );
} finally {
  workspace.close();
}
