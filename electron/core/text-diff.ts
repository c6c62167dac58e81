// Line diffs in unified format, used by both deploy targets' `diff`: a longest-common-subsequence
// walk (O(n·m); manifests and container specs are small) that prints removals before additions, as
// `diff -u` does.

export type LineOp = { op: ' ' | '-' | '+'; line: string };

/** Line diff by longest common subsequence (O(n·m); manifests are small). */
export function diffLines(a: string[], b: string[]): LineOp[] {
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
  const ops: LineOp[] = [];
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

/** Unified diff text with `context` lines around each change; empty when nothing changed. */
export function unifiedDiff(a: string[], b: string[], fromLabel: string, toLabel: string, context = 3): string {
  const ops = diffLines(a, b);
  if (!ops.some((o) => o.op !== ' ')) return '';
  // positions (1-based) in a and b before each op
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
    if ((ops[k] as LineOp).op === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // extend the hunk while the next change is within 2·context unchanged lines
    for (;;) {
      while (end < ops.length && (ops[end] as LineOp).op !== ' ') end++;
      let next = end;
      while (next < ops.length && (ops[next] as LineOp).op === ' ') next++;
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
