// What the core needs from git to find touched files: the comparison's ends and the changed paths.
export interface GitPort {
  revParse(cwd: string, ref: string): Promise<string>;
  /** Nx's rule, refusing an answer that would be silently wrong (unknown refs, a shallow clone's cut). */
  mergeBase(cwd: string, base: string, head: string): Promise<string>;
  /** Nx's rule, which never fails: falls back to base itself. */
  mergeBaseLenient(cwd: string, base: string, head: string): Promise<{ ref: string; fellBack: boolean }>;
  filesBetween(cwd: string, base: string, head: string): Promise<string[]>;
  uncommittedFiles(cwd: string): Promise<string[]>;
  untrackedFiles(cwd: string): Promise<string[]>;
}
