// Line-diff bench (`npm run bench:diff`): the targets' unified diff (electron/adapters/text-diff, over
// jsdiff's Myers diff) against the hand-written LCS diff it replaced, on a 5,000-line manifest with a
// few changes, both run in this one process. Prints the time and the memory of each and the ratio
// new / old, then the same for the worst case (every line rewritten), where the new diff stops its
// search at MAX_EDIT_LENGTH edits. Fails (exit 1) only when the two disagree on how many lines a
// few-changes diff changes; speed is printed, not thrown. Results: bench-results/text-diff.json.
//
// Times are measured in this one process. Memory is the highest RSS seen while a variant runs (sampled
// every millisecond by a worker thread, the variant repeated for at least 200 ms) minus the RSS before,
// each variant in a fresh child process of this bench (`--memory <variant>`): in one process, memory an
// earlier variant left to the allocator would hide a later one's.
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { unifiedDiff } from '../../electron/adapters/text-diff/unified-diff.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_FILE = path.join(REPO, 'bench-results', 'text-diff.json');
const LINES = 5000;
const NEW_RUNS = 20;
const OLD_RUNS = 2;

// ---------------------------------------------------------------------------------------------
// THE PEER, NOT PRODUCTION CODE: the O(n·m) longest-common-subsequence diff that
// electron/core/text-diff.ts held before jsdiff replaced it, kept here unchanged only so the bench can
// measure against it. Nothing outside this file may import it.

type PeerOp = { op: ' ' | '-' | '+'; line: string };

function peerDiffLines(a: string[], b: string[]): PeerOp[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const ops: PeerOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[i + 1] as Uint32Array)[j] as number >= ((lcs[i] as Uint32Array)[j + 1] as number)) {
      ops.push({ op: '-', line: a[i++] as string });
    } else {
      ops.push({ op: '+', line: b[j++] as string });
    }
  }
  while (i < n) ops.push({ op: '-', line: a[i++] as string });
  while (j < m) ops.push({ op: '+', line: b[j++] as string });
  return ops;
}

function peerUnifiedDiff(a: string[], b: string[], fromLabel: string, toLabel: string, context = 3): string {
  const ops = peerDiffLines(a, b);
  if (!ops.some((o) => o.op !== ' ')) return '';
  const posA: number[] = [];
  const posB: number[] = [];
  let ia = 1;
  let ib = 1;
  for (const o of ops) {
    posA.push(ia);
    posB.push(ib);
    if (o.op !== '+') ia++;
    if (o.op !== '-') ib++;
  }
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let k = 0;
  while (k < ops.length) {
    if ((ops[k] as PeerOp).op === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    for (;;) {
      while (end < ops.length && (ops[end] as PeerOp).op !== ' ') end++;
      let next = end;
      while (next < ops.length && (ops[next] as PeerOp).op === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    start = Math.max(0, start);
    const slice = ops.slice(start, end);
    const countA = slice.filter((o) => o.op !== '+').length;
    const countB = slice.filter((o) => o.op !== '-').length;
    const startA = countA === 0 ? (posA[start] as number) - 1 : (posA[start] as number);
    const startB = countB === 0 ? (posB[start] as number) - 1 : (posB[start] as number);
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
    k = end;
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

/** Deployments as YAML lines, with the repeated structure real manifests have. */
function manifestLines(count: number): string[] {
  const lines: string[] = [];
  for (let d = 0; lines.length < count; d++) {
    lines.push(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: service-${d}`,
      '  labels:',
      '    app.kubernetes.io/managed-by: convoy',
      'spec:',
      '  replicas: 2',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: service-${d}`,
      `          image: shop/service-${d}:0123456789abcdef`,
      '          ports:',
      '            - containerPort: 8080',
      '---',
    );
  }
  return lines.slice(0, count);
}

function withChanges(lines: string[]): string[] {
  const out = [...lines];
  out[12] = '          image: shop/service-0:fedcba9876543210';
  out[1607] = '  replicas: 3';
  out.splice(3000, 1);
  out.splice(4200, 0, '          env: []');
  return out;
}

function changedLines(text: string): number {
  return text.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median time of `runs` calls, and the last call's text. */
function timed(run: () => string, runs: number): { ms: number; text: string } {
  const times: number[] = [];
  let text = '';
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    text = run();
    times.push(performance.now() - start);
  }
  return { ms: median(times), text };
}

function inputs() {
  const before = manifestLines(LINES);
  return { before, after: withChanges(before), rewritten: before.map((line) => `${line} # rewritten`) };
}

const LABEL = ['live/Deployment shop/big', 'desired/Deployment shop/big'] as const;

const VARIANTS: Record<string, () => string> = {
  'few-new': () => {
    const { before, after } = inputs();
    return unifiedDiff(before, after, ...LABEL);
  },
  'few-old': () => {
    const { before, after } = inputs();
    return peerUnifiedDiff(before, after, ...LABEL);
  },
  'rewritten-new': () => {
    const { before, rewritten } = inputs();
    return unifiedDiff(before, rewritten, ...LABEL);
  },
  'rewritten-old': () => {
    const { before, rewritten } = inputs();
    return peerUnifiedDiff(before, rewritten, ...LABEL);
  },
};

// The sampler: keeps the highest RSS in shared[0] (MB) until shared[1] is set.
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const shared = new Float64Array(workerData);
const tick = new Int32Array(new SharedArrayBuffer(4));
while (shared[1] === 0) {
  shared[0] = Math.max(shared[0], process.memoryUsage.rss() / 1048576);
  Atomics.wait(tick, 0, 0, 1);
}`;

/** In a child process: the variant, repeated for at least 200 ms; prints the peak RSS growth in MB. */
async function memoryChild(variant: string): Promise<number> {
  const run = VARIANTS[variant];
  if (!run) throw new Error(`unknown variant ${variant}`);
  const buffer = new SharedArrayBuffer(16);
  const shared = new Float64Array(buffer);
  const sampler = new Worker(SAMPLER, { eval: true, workerData: buffer });
  await new Promise((resolve) => sampler.once('online', resolve));
  const rssBefore = process.memoryUsage.rss() / 1048576;
  shared[0] = rssBefore;
  const start = performance.now();
  do run();
  while (performance.now() - start < 200);
  shared[1] = 1;
  await sampler.terminate();
  console.log(JSON.stringify({ peakGrowthMb: Math.max(0, (shared[0] as number) - rssBefore) }));
  return 0;
}

function peakGrowthMb(variant: string): number {
  const out = execFileSync(process.execPath, [path.join(REPO, 'bin', 'run-ts.mjs'), fileURLToPath(import.meta.url), '--memory', variant], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { peakGrowthMb: number }).peakGrowthMb;
}

function main(): number {
  const { before, after, rewritten } = inputs();
  console.log(`bench diff: ${LINES}-line manifest, ${changedLines(unifiedDiff(before, after, ...LABEL))} changed line(s)`);

  const rows = {
    'few-new': { name: 'few changes, jsdiff', ...timed(() => unifiedDiff(before, after, ...LABEL), NEW_RUNS), runs: NEW_RUNS },
    'few-old': { name: 'few changes, old LCS (peer)', ...timed(() => peerUnifiedDiff(before, after, ...LABEL), OLD_RUNS), runs: OLD_RUNS },
    'rewritten-new': { name: 'every line rewritten, jsdiff', ...timed(() => unifiedDiff(before, rewritten, ...LABEL), OLD_RUNS), runs: OLD_RUNS },
    'rewritten-old': { name: 'every line rewritten, old LCS (peer)', ...timed(() => peerUnifiedDiff(before, rewritten, ...LABEL), OLD_RUNS), runs: OLD_RUNS },
  };
  const memory = Object.fromEntries(Object.keys(rows).map((variant) => [variant, peakGrowthMb(variant)])) as Record<keyof typeof rows, number>;
  for (const [variant, r] of Object.entries(rows) as Array<[keyof typeof rows, (typeof rows)[keyof typeof rows]]>) {
    console.log(`${r.name.padEnd(36)} ${r.ms.toFixed(2).padStart(10)} ms (median of ${r.runs})   peak RSS +${memory[variant].toFixed(1)} MB`);
  }
  // A growth under 1 MB counts as 1 MB, so a ratio never divides by noise.
  const ratio = (a: keyof typeof rows, b: keyof typeof rows) => ({
    time: rows[a].ms / rows[b].ms,
    memory: Math.max(memory[a], 1) / Math.max(memory[b], 1),
  });
  const few = ratio('few-new', 'few-old');
  const worst = ratio('rewritten-new', 'rewritten-old');
  console.log(`few changes, new / old                time ${few.time.toFixed(4)}   peak memory ${few.memory.toFixed(4)}`);
  console.log(`every line rewritten, new / old       time ${worst.time.toFixed(4)}   peak memory ${worst.memory.toFixed(4)}`);

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpus: os.availableParallelism(), loadavg: os.loadavg() },
        lines: LINES,
        ms: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.ms])),
        peakRssGrowthMb: memory,
        ratios: { fewChanges: few, everyLineRewritten: worst },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)}`);

  // Both are minimal line diffs here: they may pick different lines among equal ones, never a different count.
  const changedNew = changedLines(rows['few-new'].text);
  const changedOld = changedLines(rows['few-old'].text);
  if (changedNew !== changedOld) {
    console.error(`bench diff: FAIL — the new diff changes ${changedNew} line(s), the old one ${changedOld}`);
    return 1;
  }
  return 0;
}

if (process.argv[2] === '--memory') {
  memoryChild(process.argv[3] ?? '').then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  process.exit(main());
}
