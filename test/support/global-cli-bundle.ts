// Vitest global setup: rebuilds the CLI bundle (dist/cli) once at the start of every test run, so the
// tests that start bin/convoy.mjs run the code as it is now, through the bundle users run. Sources edited
// since `npm ci` would otherwise make the bin fall back to tsx; CONVOY_CLI_BUNDLE=required (inherited by
// every worker and every process they start) turns that fallback into a failure instead.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function setup(): void {
  execFileSync(process.execPath, [path.join(REPO, 'build', 'build-cli.mjs')], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  process.env.CONVOY_CLI_BUNDLE = 'required';
}
