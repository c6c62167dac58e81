// The data directory holds the release history (workspaces, commits, log lines): other local users
// must not read it. The directory is kept 0700 and the database with its -wal and -shm files 0600;
// ones left more open by an older Convoy (or a umask) are tightened, and the caller is told so.
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Tells the user about a change Convoy made on its own (the CLI prints it on stderr). */
export type Notice = (message: string) => void;

function tighten(target: string, mode: number, what: string, notice: Notice): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // not there (yet): nothing to tighten
  }
  if ((stat.mode & 0o777 & ~mode) === 0) return;
  // Only the owner can chmod; a shared directory someone else owns is left as it is.
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return;
  fs.chmodSync(target, mode);
  notice(`convoy: note: ${what} ${target} was readable by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); tightened to ${mode.toString(8).padStart(4, '0')}\n`);
}

/** The data directory: made 0700 by mkdir, an existing one tightened. */
export function makePrivateDir(dir: string, notice: Notice): void {
  tighten(dir, PRIVATE_DIR_MODE, 'data directory', notice);
}

/**
 * The database file is created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
 * database file's mode, so they are private from their first byte. Existing files are tightened.
 */
export function makePrivateDatabase(file: string, notice: Notice): void {
  for (const suffix of ['', '-wal', '-shm']) tighten(file + suffix, PRIVATE_FILE_MODE, 'history file', notice);
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_WRONLY, PRIVATE_FILE_MODE));
  } catch {
    // SQLite's own open reports why the file cannot be made
  }
}
