// A throwaway Nx workspace for the crash and cancel tests (real git, real nx via a node_modules link),
// with a Docker environment of its own, and the real `convoy` CLI run as a child process on it.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin', 'convoy.mjs');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { cwd: options.cwd }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Starts `convoy ARGS --data DATA`; `onStderr` sees the output so far and may signal the child. */
export function convoy(args: string[], dataDir: string, options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--data', dataDir], { cwd: path.dirname(dataDir), env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Writes a workspace of `projects` (name → Dockerfile and convoy block; images are `<tag>/<name>`) with
 * one Docker environment, and commits it.
 */
export async function makeWorkspace(dir: string, tag: string, environment: string, projects: Record<string, { dockerfile: string; convoy?: Record<string, unknown> }>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'nx.json'), '{}');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'crash', private: true, workspaces: Object.keys(projects) }));
  fs.writeFileSync(path.join(dir, 'convoy.yaml'), `environments:\n  - name: ${environment}\n    target: { kind: docker }\n`);
  for (const [name, p] of Object.entries(projects)) {
    const root = path.join(dir, name);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, nx: { name }, convoy: { image: `${tag}/${name}`, ...p.convoy } }));
    fs.writeFileSync(path.join(root, 'Dockerfile'), p.dockerfile);
  }
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n.nx\n');
  await run('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  await run('git', ['add', '-A'], { cwd: dir });
  await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'crash'], { cwd: dir });
}
