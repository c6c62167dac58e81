// The shared line diff (electron/adapters/text-diff) over jsdiff: the edit script is minimal and
// replays to both sides, and a large manifest with a few changes gives exactly the expected hunks.
// (Speed lives in `npm run bench`, test/bench/text-diff.ts; nothing here is timed.)
import { describe, expect, it } from 'vitest';
import { MAX_EDIT_LENGTH, diffLines, unifiedDiff } from '../../../electron/adapters/text-diff/unified-diff.js';

/** A Kubernetes-like manifest of `count` lines, every line distinct. */
function manifest(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i % 5 === 0 ? `- name: item-${i}` : `  field${i % 5}: value-${i}`));
}

describe('diffLines', () => {
  it('replays to the old side without additions and to the new side without removals', () => {
    const a = ['a', 'b', 'c', 'a', 'b', 'b', 'a'];
    const b = ['c', 'b', 'a', 'b', 'a', 'c'];
    const ops = diffLines(a, b);
    expect(ops.filter((o) => o.op !== '+').map((o) => o.line)).toEqual(a);
    expect(ops.filter((o) => o.op !== '-').map((o) => o.line)).toEqual(b);
    // The longest common subsequence of these two has 4 lines (e.g. b, a, b, a).
    expect(ops.filter((o) => o.op === ' ')).toHaveLength(4);
  });

  it('puts removed lines before added ones within a change', () => {
    expect(diffLines(['x', 'old', 'y'], ['x', 'new', 'y']).map((o) => `${o.op}${o.line}`)).toEqual([' x', '-old', '+new', ' y']);
  });
});

describe('unifiedDiff on a 5,000-line manifest with a few changes', () => {
  const before = manifest(5000);
  const after = [...before];
  after[9] = '  field4: changed-9'; // line 10 replaced
  after.splice(2000, 1); // line 2001 removed
  after.splice(4499, 0, '  added: true'); // a line added after old line 4500 (one line earlier in the new side)

  const text = unifiedDiff(before, after, 'live/Deployment shop/big', 'desired/Deployment shop/big');

  it('prints three hunks with the right ranges', () => {
    expect(text.match(/^@@.*$/gm)).toEqual(['@@ -7,7 +7,7 @@', '@@ -1998,7 +1998,6 @@', '@@ -4498,6 +4497,7 @@']);
    expect(text.startsWith('--- live/Deployment shop/big\n+++ desired/Deployment shop/big\n')).toBe(true);
  });

  it('shows exactly the changed lines', () => {
    const changes = text.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
    expect(changes).toEqual([`-${before[9]}`, '+  field4: changed-9', `-${before[2000]}`, '+  added: true']);
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff(before, [...before], 'a', 'b')).toBe('');
  });
});

describe('unifiedDiff past the edit bound', () => {
  it('stays minimal below MAX_EDIT_LENGTH edits: 400 scattered replacements, 400 hunks', () => {
    expect(MAX_EDIT_LENGTH).toBeGreaterThanOrEqual(800);
    const before = manifest(4000);
    const after = before.map((line, i) => (i % 10 === 5 ? `${line} # changed` : line));
    const text = unifiedDiff(before, after, 'a', 'b');
    expect(text.match(/^@@/gm)).toHaveLength(400);
    expect(text.match(/^-(?!-- )/gm)).toHaveLength(400);
    expect(text.match(/^\+(?!\+\+ )/gm)).toHaveLength(400);
  });

  it('replaces the block between the common head and tail when every line there differs', () => {
    const head = ['apiVersion: v1', 'kind: ConfigMap', 'data:'];
    const tail = ['---', 'end: true'];
    const before = [...head, ...manifest(5000).map((l) => `old ${l}`), ...tail];
    const after = [...head, ...manifest(5000).map((l) => `new ${l}`), ...tail];
    const lines = unifiedDiff(before, after, 'a', 'b').split('\n');
    expect(lines.filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5005 +1,5005 @@']);
    const body = lines.slice(3, -1);
    expect(body.slice(0, 3)).toEqual(head.map((l) => ` ${l}`));
    expect(body.slice(3, 5003).every((l) => l.startsWith('-old '))).toBe(true);
    expect(body.slice(5003, 10003).every((l) => l.startsWith('+new '))).toBe(true);
    expect(body.slice(10003)).toEqual(tail.map((l) => ` ${l}`));
    // The edit script still replays to both sides.
    const ops = diffLines(before, after);
    expect(ops.filter((o) => o.op !== '+').map((o) => o.line)).toEqual(before);
    expect(ops.filter((o) => o.op !== '-').map((o) => o.line)).toEqual(after);
  });
});
