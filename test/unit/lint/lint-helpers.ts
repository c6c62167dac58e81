// Lints snippets as if they lived at virtual paths in the repository (the files need not exist) and
// returns the layer rules' messages, for the tests that prove each rule of eslint.config.js fires.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { expect } from 'vitest';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let eslint: ESLint | null = null;

export async function layerErrors(filePath: string, code: string): Promise<string[]> {
  eslint ??= new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`parse error in snippet for ${filePath}: ${fatal[0]!.message}`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'convoy/relative-imports-within')
    .map((m) => m.message);
}

export async function expectBlocked(filePath: string, code: string, mention?: RegExp): Promise<void> {
  const errors = await layerErrors(filePath, code);
  expect(errors.length, `${filePath}: ${code}`).toBeGreaterThan(0);
  if (mention) expect(errors.join('\n')).toMatch(mention);
}

export async function expectAllowed(filePath: string, code: string): Promise<void> {
  expect(await layerErrors(filePath, code), `${filePath}: ${code}`).toEqual([]);
}

/** A snippet importing `spec` and using it, so no other rule complains. */
export const importing = (spec: string): string => `import * as m from '${spec}';\nexport const x = m;\n`;
