// What the core needs from a monorepo tool (Nx today): the project graph and the affected set.
import type { AffectedSet, WorkspaceGraph } from '../../../shared/domain.js';

export interface Progress {
  (message: string, fraction?: number | null): void;
}

/** Which nx reads the workspace: its own installed one (default, or convoy.yaml's `nx`) or Convoy's bundled one. */
export type NxChoice = 'workspace' | 'bundled';

export interface AffectedQuery {
  dir: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  /** Only untracked files count (nx --untracked). */
  untracked?: boolean;
  /** Exactly these files count (nx --files), relative to the workspace root. */
  files?: string[];
  allowCycles?: boolean;
  nx?: NxChoice;
}

export interface OpenOptions {
  refresh?: boolean;
  progress?: Progress;
  signal?: AbortSignal;
  nx?: NxChoice;
}

export interface WorkspacePort {
  open(dir: string, options: OpenOptions): Promise<WorkspaceGraph>;
  affected(query: AffectedQuery, options: { progress?: Progress; signal?: AbortSignal }): Promise<AffectedSet>;
  /** Stops helper processes and finishes background cache writes. */
  close?(): void | Promise<void>;
}

/** What Nx's own touched-project locators say about a set of touched files. */
export interface TouchedByNx {
  /** Every project the files touch directly. */
  touched: string[];
  /** Per attributed file, the projects it alone touches. */
  byFile: Record<string, string[]>;
  /** The files Nx considered (the rest it ignores: .gitignore, .nxignore). */
  considered: string[];
  /** Per file (the root package.json), the dependencies whose entries changed. */
  dependencies?: Record<string, string[]>;
}

/** The project graph of one workspace state, and Nx's judgement of touched files in that state. */
export interface GraphSnapshot {
  root: string;
  graph: WorkspaceGraph;
  /** The HEAD commit when the state was read. */
  head: string | null;
  /** Files Nx never counts as changes (.gitignore, .nxignore). */
  isIgnored(file: string): boolean;
  isDeleted(file: string): boolean;
  /**
   * Runs Nx's touched-project locators on `files`; `attribute` are traced one by one. `whole`: every
   * file counts as changed as a whole (nx --files), not by its JSON diff.
   */
  locate(files: string[], base: string, head: string | null, attribute: string[], options?: { whole?: boolean }): Promise<TouchedByNx>;
}

/** The Nx side of the workspace: graphs (cached by git state) and Nx's locators, without the affected walk. */
export interface ProjectGraphPort {
  /** The workspace root for `dir`, or a WORKSPACE_ERROR saying what is missing. */
  root(dir: string): string;
  /** Nx's default base for the workspace (NX_BASE, nx.json's defaultBase, else main). */
  defaultBase(root: string): string;
  open(dir: string, options: OpenOptions): Promise<WorkspaceGraph>;
  snapshot(dir: string, options: { progress?: Progress; nx?: NxChoice }): Promise<GraphSnapshot>;
  close?(): void | Promise<void>;
}
