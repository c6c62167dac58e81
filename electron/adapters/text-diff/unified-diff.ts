// Line diffs in unified format, used by both deploy targets' `diff` (and meant for the console's diff
// view). The edit script comes from jsdiff's `diffArrays` (Myers' O((n+m)·d) algorithm: a 5,000-line
// manifest with a few changes costs milliseconds, where the LCS table it replaced cost O(n·m) time and
// memory); this module only prints it the way `diff -u` does, removals before additions.
//
// Myers' cost grows with the number of edits, so past MAX_EDIT_LENGTH (a rewritten manifest, say) the
// search stops and the lines between the common head and tail are shown as removed, then added: still
// a correct diff, no longer a minimal one, and bounded in time (`npm run bench:diff` measures both).
//
// It lives beside the adapters rather than in electron/core because the core imports shared/ only.
import { diffArrays } from 'diff';

/** Edits (removed + added lines) Myers' search may find before the diff falls back to a block replace. */
export const MAX_EDIT_LENGTH = 1000;

export type LineOp = { op: ' ' | '-' | '+'; line: string };

/**
 * A line edit script from `a` to `b`: minimal up to MAX_EDIT_LENGTH edits, else the common head and
 * tail with everything between them replaced. Within a change, removed lines come before added ones.
 */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  const parts = diffArrays([...a], [...b], { maxEditLength: MAX_EDIT_LENGTH });
  if (parts === undefined) return blockReplace(a, b);
  const ops: LineOp[] = [];
  for (const part of parts) {
    const op = part.removed ? '-' : part.added ? '+' : ' ';
    for (const line of part.value) ops.push({ op, line });
  }
  return ops;
}

function blockReplace(a: readonly string[], b: readonly string[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (line: string): LineOp => ({ op: ' ', line });
  return [
    ...a.slice(0, head).map(same),
    ...a.slice(head, endA).map((line): LineOp => ({ op: '-', line })),
    ...b.slice(head, endB).map((line): LineOp => ({ op: '+', line })),
    ...a.slice(endA).map(same),
  ];
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
