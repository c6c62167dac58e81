// Line diffs in unified format, used by both deploy targets' `diff` (and meant for the console's diff
// view). The edit script comes from jsdiff's `diffArrays` (Myers' O((n+m)·d) algorithm: a 5,000-line
// manifest with a few changes costs milliseconds, where the LCS table it replaced cost seconds and
// hundreds of MB); this module only prints it the way `diff -u` does, removals before additions.
//
// It lives beside the adapters rather than in electron/core because the core imports shared/ only.
import { diffArrays } from 'diff';

export type LineOp = { op: ' ' | '-' | '+'; line: string };

/** A minimal line edit script from `a` to `b`; within a change, removed lines come before added ones. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  const ops: LineOp[] = [];
  for (const part of diffArrays([...a], [...b])) {
    const op = part.removed ? '-' : part.added ? '+' : ' ';
    for (const line of part.value) ops.push({ op, line });
  }
  return ops;
}

/**
 * Unified diff text with `context` lines around each change (Infinity: one hunk with every line);
 * changes at most 2·context unchanged lines apart share a hunk. Empty when nothing changed.
 */
export function unifiedDiff(a: readonly string[], b: readonly string[], fromLabel: string, toLabel: string, context = 3): string {
  const ops = diffLines(a, b);
  const changed: number[] = [];
  ops.forEach((o, k) => {
    if (o.op !== ' ') changed.push(k);
  });
  if (changed.length === 0) return '';

  // 1-based line numbers in a and b at each op.
  const posA = new Array<number>(ops.length);
  const posB = new Array<number>(ops.length);
  let ia = 1;
  let ib = 1;
  ops.forEach((o, k) => {
    posA[k] = ia;
    posB[k] = ib;
    if (o.op !== '+') ia++;
    if (o.op !== '-') ib++;
  });

  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let c = 0;
  while (c < changed.length) {
    const first = changed[c] as number;
    let last = first;
    // Take in the following changes while the unchanged gap before each is at most 2·context.
    while (c + 1 < changed.length && (changed[c + 1] as number) - last - 1 <= 2 * context) last = changed[++c] as number;
    c++;
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length, last + 1 + context);
    let countA = 0;
    let countB = 0;
    const body: string[] = [];
    for (let k = start; k < end; k++) {
      const o = ops[k] as LineOp;
      if (o.op !== '+') countA++;
      if (o.op !== '-') countB++;
      body.push(`${o.op}${o.line}`);
    }
    const startA = countA === 0 ? (posA[start] as number) - 1 : (posA[start] as number);
    const startB = countB === 0 ? (posB[start] as number) - 1 : (posB[start] as number);
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`, ...body);
  }
  return `${out.join('\n')}\n`;
}
