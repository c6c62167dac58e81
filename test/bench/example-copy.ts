// The example workspace (examples/shop) copied for a bench run: each service's image under a per-run
// prefix, and a per-run file in each service's served folder, so neither Convoy's content cache nor
// Docker's layer cache can answer the first build. Committed as a git repository of its own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVICES = ['catalog-api', 'orders-api', 'storefront'];

export function copyExample(dest: string, prefix: string, runId: string): void {
  const src = path.join(REPO, 'examples', 'shop');
  fs.cpSync(src, dest, { recursive: true, filter: (p) => !/[/\\](node_modules|\.nx|dist)$/.test(p) });
  for (const service of SERVICES) {
    const pkgFile = path.join(dest, 'services', service, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { convoy: { image: string } };
    pkg.convoy.image = `${prefix}/${service}`;
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    // A new file in the served folder: Docker's layer cache cannot answer the COPY steps either.
    fs.writeFileSync(path.join(dest, 'services', service, 'www', 'bench-run.txt'), `${runId}\n`);
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dest, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(dest, '.git', 'info', 'exclude'), 'node_modules\n.nx\n');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'example');
}
