// An in-memory WorkspacePort over a given project graph: `open` returns the graph, `affected` maps the
// files a test says were touched to their projects with the core's own owner lookup and reverse
// dependency walk (electron/core/affected.ts), as the Nx adapter does for plain files inside projects.
// Files outside every project touch nothing here (Nx would ask its own rules about nx.json,
// lockfiles and the like). Every call is recorded; `failOn` scripts an error.
import type { AffectedSet, WorkspaceGraph, WorkspaceProject } from '../../shared/domain.js';
import { ConvoyError } from '../../shared/errors.js';
import { createOwnerLookup, explainAffected, type TouchCause } from '../../electron/core/affected.js';
import type { AffectedQuery, Progress, WorkspacePort } from '../../electron/core/ports/workspace.js';

export interface FakeWorkspaceCall {
  method: 'open' | 'affected';
  dir: string;
  query?: AffectedQuery;
}

/** A project with sensible defaults: no Dockerfile, no manifests, no test command. */
export function fakeProject(name: string, over: Partial<Omit<WorkspaceProject, 'capabilities'>> & { capabilities?: Partial<WorkspaceProject['capabilities']> } = {}): WorkspaceProject {
  const root = over.root ?? `services/${name}`;
  const caps = over.capabilities ?? {};
  const dockerfile = caps.dockerfile ?? null;
  return {
    name,
    root,
    type: over.type ?? 'application',
    tags: over.tags ?? [],
    dependencies: over.dependencies ?? [],
    capabilities: {
      dockerfile,
      manifests: caps.manifests ?? null,
      test: caps.test ?? null,
      buildable: caps.buildable ?? dockerfile !== null,
      deployable: caps.deployable ?? false,
    },
  };
}

export class FakeWorkspace implements WorkspacePort {
  readonly calls: FakeWorkspaceCall[] = [];
  private touched: string[] = [];
  private base: string | null = 'base';
  private head: string | null = 'head';
  private failure: { method: 'open' | 'affected'; error: ConvoyError } | null = null;

  constructor(private readonly graph: WorkspaceGraph) {}

  static of(root: string, projects: WorkspaceProject[]): FakeWorkspace {
    return new FakeWorkspace({ root, nxVersion: '0.0.0-fake', nxSource: 'bundled', projects, cycles: [], cached: false });
  }

  /** The files the next `affected` calls see as changed (workspace-relative, `/`-separated). */
  touch(files: string[], refs: { base?: string | null; head?: string | null } = {}): this {
    this.touched = [...files];
    if (refs.base !== undefined) this.base = refs.base;
    if (refs.head !== undefined) this.head = refs.head;
    return this;
  }

  /** The next call of `method` throws `error`. */
  failOn(method: 'open' | 'affected', error: ConvoyError): this {
    this.failure = { method, error };
    return this;
  }

  async open(dir: string, options: { refresh?: boolean; progress?: Progress; signal?: AbortSignal } = {}): Promise<WorkspaceGraph> {
    this.enter('open', dir, options.signal);
    return structuredClone(this.graph);
  }

  async affected(query: AffectedQuery, options: { progress?: Progress; signal?: AbortSignal } = {}): Promise<AffectedSet> {
    this.enter('affected', query.dir, options.signal, query);
    const owner = createOwnerLookup(this.graph.projects);
    const owned = new Map<string, string[]>();
    for (const file of this.touched) {
      const name = owner(file);
      if (name !== null) owned.set(name, [...(owned.get(name) ?? []), file]);
    }
    const causes = new Map<string, TouchCause[]>([...owned].map(([name, files]) => [name, [{ kind: 'files', files }]]));
    return {
      workspace: this.graph.root,
      base: query.base ?? this.base,
      head: query.head ?? this.head,
      uncommitted: query.uncommitted ?? false,
      touchedFiles: this.touched.length,
      projects: explainAffected(this.graph.projects, causes),
      graphCached: false,
    };
  }

  private enter(method: 'open' | 'affected', dir: string, signal: AbortSignal | undefined, query?: AffectedQuery): void {
    this.calls.push({ method, dir, ...(query ? { query: { ...query } } : {}) });
    if (signal?.aborted) throw new ConvoyError('CANCELLED', `workspace ${method} of ${dir} was cancelled`);
    if (this.failure?.method === method) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
  }
}
