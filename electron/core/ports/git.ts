// What the features need from git beyond the affected set (which the workspace port answers).
export interface GitPort {
  /** The commit HEAD points at; null outside a repository or before the first commit. */
  headCommit(root: string): Promise<string | null>;
}
