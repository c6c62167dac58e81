// affected.compute's input follows nx's argument rules (yargs conflicts and implies of
// `nx show projects --affected`, the same in Nx 20 to 24): refused at every transport, with what to drop.
import { describe, expect, it } from 'vitest';
import { commands } from '../../../shared/contract.js';
import { NX_REFUSES } from '../../support/nx-argument-rules.js';

const input = commands['affected.compute'].input;

describe('affected.compute arguments', () => {
  for (const refused of NX_REFUSES) {
    it(`refuses ${JSON.stringify(refused)}`, () => {
      const result = input.safeParse({ dir: '.', ...refused });
      expect(result.success).toBe(false);
      const messages = result.error?.issues.map((issue) => issue.message).join('\n') ?? '';
      expect(messages).toMatch(/cannot be combined|needs a base/);
    });
  }

  const accepted: Array<Record<string, unknown>> = [
    {},
    { base: 'main' },
    { base: 'main', head: 'feature' },
    { uncommitted: true },
    { untracked: true },
    { files: ['libs/a/index.js', 'nx.json'] },
    { uncommitted: false, base: 'main' },
    { nx: 'bundled', base: 'main' },
  ];
  for (const ok of accepted) {
    it(`accepts ${JSON.stringify(ok)}`, () => {
      expect(input.safeParse({ dir: '.', ...ok }).success).toBe(true);
    });
  }

  it('refuses a file outside the workspace', () => {
    expect(input.safeParse({ dir: '.', files: ['../secret'] }).success).toBe(false);
    expect(input.safeParse({ dir: '.', files: ['/etc/passwd'] }).success).toBe(false);
  });
});
