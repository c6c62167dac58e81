// Line-diff bench (`npm run bench:diff`): the targets' unified diff (electron/adapters/text-diff, over
// jsdiff's Myers diff) against the hand-written LCS diff it replaced, on a 5,000-line manifest with a
// few changes, both run in this one process. Prints the time and the memory of each and the ratio
// new / old. Fails (exit 1) only when the two disagree on what changed; speed is printed, not thrown.
// Results: bench-results/text-diff.json.
//
// Memory is the growth of the process's peak RSS (getrusage maxrss) over the peak before the call. The
// new diff runs first, so its reading is not hidden under the old one's peak.
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

/** Median time of `runs` calls and the growth of the peak RSS over the peak before the first. */
function measure(run: () => string, runs: number): { ms: number; peakGrowthMb: number; text: string } {
  const peakBefore = process.resourceUsage().maxRSS;
  const times: number[] = [];
  let text = '';
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    text = run();
    times.push(performance.now() - start);
  }
  const peakGrowthMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
  return { ms: median(times), peakGrowthMb, text };
}

function main(): number {
  const before = manifestLines(LINES);
  const after = withChanges(before);
  const label = ['live/Deployment shop/big', 'desired/Deployment shop/big'] as const;
  console.log(`bench diff: ${LINES}-line manifest, ${changedLines(unifiedDiff(before, after, ...label))} changed line(s)`);

  const now = measure(() => unifiedDiff(before, after, ...label), NEW_RUNS);
  const peer = measure(() => peerUnifiedDiff(before, after, ...label), OLD_RUNS);

  const row = (name: string, r: { ms: number; peakGrowthMb: number }, runs: number) =>
    `${name.padEnd(28)} ${r.ms.toFixed(2).padStart(10)} ms (median of ${runs})   peak RSS +${r.peakGrowthMb.toFixed(1)} MB`;
  console.log(row('jsdiff (electron/adapters)', now, NEW_RUNS));
  console.log(row('old LCS (peer)', peer, OLD_RUNS));
  const timeRatio = now.ms / peer.ms;
  // A zero growth (the new diff stayed under the process's earlier peak) prints as < 1 MB.
  const memRatio = Math.max(now.peakGrowthMb, 1) / Math.max(peer.peakGrowthMb, 1);
  console.log(`new / old time                ${timeRatio.toFixed(4)}`);
  console.log(`new / old peak memory         ${now.peakGrowthMb < 1 ? '≤ ' : ''}${memRatio.toFixed(4)}`);

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpus: os.availableParallelism(), loadavg: os.loadavg() },
        lines: LINES,
        ms: { new: now.ms, old: peer.ms },
        peakRssGrowthMb: { new: now.peakGrowthMb, old: peer.peakGrowthMb },
        ratios: { time: timeRatio, memory: memRatio },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)}`);

  // Both are minimal line diffs: they may pick different lines among equal ones, never a different count.
  if (changedLines(now.text) !== changedLines(peer.text)) {
    console.error(`bench diff: FAIL — the new diff changes ${changedLines(now.text)} line(s), the old one ${changedLines(peer.text)}`);
    return 1;
  }
  return 0;
}

process.exit(main());
