// The Nx compatibility bench (`npm run bench`): for every supported major, Convoy's affected set
// against that version's own `nx show projects --affected` on each change kind of the compatibility
// suite (test/integration/nx-compat), printed as a table version × change kind: equal or not. For the
// oldest and the newest major both tools run as fresh processes (`node bin/convoy.mjs affected` and
// `nx show projects --affected`), and their times are printed as ratios. Exit 1 when a set differs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AffectedQuery } from '../../electron/core/ports/workspace.js';
import { CHANGE_KINDS, compatTemplate } from '../integration/nx-compat/compat-cases.js';
import { COMPAT_VERSIONS, installNx } from '../integration/nx-compat/nx-install.js';
import { REPO_ROOT, cleanEnv, createWorkspace, names, nxArgs, removeWorkspaces, tempDir } from '../integration/affected/fixtures.js';

const ENV = cleanEnv({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NO_COLOR: '1' });

interface Timed {
  ms: number;
  names: string[];
}

function run(command: string, args: string[], cwd: string): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

async function nxFresh(dir: string, query: Omit<AffectedQuery, 'dir'>): Promise<Timed> {
  const result = await run(process.execPath, [path.join(dir, 'node_modules', '.bin', 'nx'), 'show', 'projects', '--affected', ...nxArgs(query), '--json'], dir);
  if (result.code !== 0) throw new Error(`nx failed (${result.code}): ${result.stderr.slice(-800)}`);
  const line = result.stdout.split('\n').find((l) => l.trim().startsWith('[')) ?? '[]';
  return { ms: result.ms, names: (JSON.parse(line) as string[]).sort() };
}

async function convoyFresh(dir: string, data: string, query: Omit<AffectedQuery, 'dir'>): Promise<Timed> {
  const args = ['affected', '-w', dir, '--json', '--data', data, ...nxArgs(query)];
  const result = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'convoy.mjs'), ...args], REPO_ROOT);
  if (result.code !== 0) throw new Error(`convoy failed (${result.code}): ${result.stderr.slice(-800)}`);
  const json = JSON.parse(result.stdout) as { projects: Array<{ name: string }> };
  return { ms: result.ms, names: json.projects.map((p) => p.name).sort() };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((name, i) => b[i] === name);

async function main(): Promise<number> {
  const versions = Object.values(COMPAT_VERSIONS);
  const timedVersions = new Set<string>([versions[0] as string, versions[versions.length - 1] as string]);
  const table = new Map<string, Map<string, boolean>>();
  const ratios = new Map<string, Array<{ kind: string; nx: number; convoy: number }>>();
  let mismatches = 0;
  // Installs first, in parallel (cached per machine after the first run).
  const installed = await Promise.all(versions.map(async (version) => ({ version, nodeModules: await installNx(version) })));
  for (const { version, nodeModules } of installed) {
    process.stderr.write(`nx-compat bench: nx ${version}\n`);
    const ws = createWorkspace(`bench-${version}`, compatTemplate(), nodeModules);
    const data = tempDir(`bench-data-${version}`);
    const row = new Map<string, boolean>();
    table.set(version, row);
    for (const kind of CHANGE_KINDS) {
      ws.reset();
      const query = kind.apply(ws);
      const nx = await nxFresh(ws.dir, query);
      let convoyNames: string[];
      if (timedVersions.has(version)) {
        const convoy = await convoyFresh(ws.dir, data, query);
        convoyNames = convoy.names;
        const list = ratios.get(version) ?? [];
        list.push({ kind: kind.name, nx: nx.ms, convoy: convoy.ms });
        ratios.set(version, list);
      } else {
        convoyNames = names(await ws.port.affected({ dir: ws.dir, ...query }, {}));
      }
      const equal = same(nx.names, convoyNames);
      if (!equal) {
        mismatches++;
        process.stderr.write(`  ${kind.name}: nx [${nx.names.join(', ')}] convoy [${convoyNames.join(', ')}]\n`);
      }
      row.set(kind.name, equal);
    }
    ws.port.close();
  }
  removeWorkspaces();

  const kindWidth = Math.max(...CHANGE_KINDS.map((k) => k.name.length));
  const header = `${'change kind'.padEnd(kindWidth)}  ${versions.map((v) => v.padEnd(8)).join('  ')}`;
  const lines = [header, '-'.repeat(header.length)];
  for (const kind of CHANGE_KINDS) {
    lines.push(`${kind.name.padEnd(kindWidth)}  ${versions.map((v) => (table.get(v)?.get(kind.name) ? 'equal' : 'DIFFERS').padEnd(8)).join('  ')}`);
  }
  console.log('\nConvoy affected vs nx show projects --affected, per nx version (equal = the same project set)\n');
  console.log(lines.join('\n'));
  for (const version of timedVersions) {
    const list = ratios.get(version) ?? [];
    console.log(`\nnx ${version}: fresh process, node bin/convoy.mjs affected vs nx show projects --affected (ratio = convoy / nx)\n`);
    console.log(`${'change kind'.padEnd(kindWidth)}  ${'nx ms'.padStart(7)}  ${'convoy ms'.padStart(9)}  ratio`);
    for (const { kind, nx, convoy } of list) {
      console.log(`${kind.padEnd(kindWidth)}  ${nx.toFixed(0).padStart(7)}  ${convoy.toFixed(0).padStart(9)}  ${(convoy / nx).toFixed(2)}`);
    }
    const totalNx = list.reduce((sum, r) => sum + r.nx, 0);
    const totalConvoy = list.reduce((sum, r) => sum + r.convoy, 0);
    console.log(`${'all'.padEnd(kindWidth)}  ${totalNx.toFixed(0).padStart(7)}  ${totalConvoy.toFixed(0).padStart(9)}  ${(totalConvoy / totalNx).toFixed(2)}`);
  }
  console.log(mismatches === 0 ? '\nEvery set equal.' : `\n${mismatches} set(s) differ.`);
  return mismatches === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`nx-compat bench failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
