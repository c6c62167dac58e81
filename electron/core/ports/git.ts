// What the core and the features need from git: the comparison's ends and the changed paths for the
// affected set, and the commit a run records.
export interface GitPort {
  /** The commit HEAD points at; null outside a repository or before the first commit. */
  headCommit(root: string): Promise<string | null>;
  /** `Name <email>` of HEAD's author; null outside a repository or before the first commit. */
  headAuthor(root: string): Promise<string | null>;
  revParse(cwd: string, ref: string): Promise<string>;
  /** Nx's rule, refusing an answer that would be silently wrong (unknown refs, a shallow clone's cut). */
  mergeBase(cwd: string, base: string, head: string): Promise<string>;
  /** Nx's rule, which never fails: falls back to base itself. */
  mergeBaseLenient(cwd: string, base: string, head: string): Promise<{ ref: string; fellBack: boolean }>;
  filesBetween(cwd: string, base: string, head: string): Promise<string[]>;
  uncommittedFiles(cwd: string): Promise<string[]>;
  untrackedFiles(cwd: string): Promise<string[]>;
  /** uncommittedFiles and untrackedFiles together, in one pass over the working tree. */
  workingTreeChanges(cwd: string): Promise<string[]>;
}
