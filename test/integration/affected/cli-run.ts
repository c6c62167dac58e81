// Runs the real `convoy` CLI (bin/convoy.mjs) as a child process and collects its exit code and output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, cleanEnv } from './fixtures.js';

const CLI = path.join(REPO_ROOT, 'bin', 'convoy.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function convoy(args: string[], timeoutMs = 55_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv({ NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

