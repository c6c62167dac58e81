// `npm run package`: electron-builder rebuilds native modules (better-sqlite3) for Electron inside this
// project's node_modules. Afterwards they are rebuilt for Node again, so the CLI, `convoy serve` and
// the tests keep working; the exit code is electron-builder's.
import { spawnSync } from 'node:child_process';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });

const packaged = run('npx', ['electron-builder', '--config', 'build/electron-builder.yml', ...process.argv.slice(2)]);
console.log('\nRebuilding better-sqlite3 for Node (electron-builder built it for Electron)…');
const restored = run('npm', ['rebuild', 'better-sqlite3']);
if (restored.status !== 0) console.error('npm rebuild better-sqlite3 failed: run it by hand before using the CLI or the tests.');
process.exit(packaged.status ?? 1);
