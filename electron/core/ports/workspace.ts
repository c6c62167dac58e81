// What the core needs from a monorepo tool (Nx today): the project graph and the affected set.
import type { AffectedSet, WorkspaceGraph } from '../../../shared/domain.js';

export interface Progress {
  (message: string, fraction?: number | null): void;
}

export interface AffectedQuery {
  dir: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  allowCycles?: boolean;
}

export interface WorkspacePort {
  open(dir: string, options: { refresh?: boolean; progress?: Progress; signal?: AbortSignal }): Promise<WorkspaceGraph>;
  affected(query: AffectedQuery, options: { progress?: Progress; signal?: AbortSignal }): Promise<AffectedSet>;
  /** Stops helper processes and finishes background cache writes. */
  close?(): void | Promise<void>;
}
