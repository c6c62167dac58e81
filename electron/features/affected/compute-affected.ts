// Affected's orchestration, in one place: which files changed (git), the graph of that workspace state
// and Nx's judgement of the workspace-level files (the project-graph port), then the pure reverse walk
// with its reasons (core/affected.ts). The Nx adapter knows nothing of the walk; the core nothing of I/O.
import type { AffectedSet } from '../../../shared/domain.js';
import { ConvoyError } from '../../../shared/errors.js';
import { abortable } from '../../core/abort.js';
import { attributeCauses, classifyTouchedFiles, createOwnerLookup, explainAffected } from '../../core/affected.js';
import type { GitPort } from '../../core/ports/git.js';
import type { AffectedQuery, NxChoice, ProjectGraphPort, Progress, WorkspacePort } from '../../core/ports/workspace.js';

/** Most workspace-level files whose individual effect is traced for the explanation. */
const MAX_ATTRIBUTED_FILES = 20;

export interface AffectedDeps {
  graphs: ProjectGraphPort;
  git: GitPort;
  /** The workspace's configured nx choice (convoy.yaml `nx`), used when a query names none. */
  nxChoice?: (root: string) => NxChoice | undefined;
  env?: NodeJS.ProcessEnv;
}

const isSha = (ref: string) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ref);

function cycleError(cycles: string[][]): ConvoyError {
  const shown = cycles.slice(0, 3).map((cycle) => cycle.join(' → ')).join('; ');
  const more = cycles.length > 3 ? ` (and ${cycles.length - 3} more)` : '';
  return new ConvoyError(
    'GRAPH_CYCLE',
    `The project graph has a dependency cycle: ${shown}${more}. Convoy builds and deploys in dependency order, ` +
      'which a cycle leaves undefined — remove one of those dependencies (package.json, project.json ' +
      'implicitDependencies or an import), or pass --allow-cycles to list the affected projects anyway.',
  );
}

/** The touched files of a query, by Nx's rules for --files, --uncommitted, --untracked and --base/--head. */
async function touchedFiles(
  deps: AffectedDeps,
  root: string,
  query: AffectedQuery,
): Promise<{ files: string[]; base: string; head: string | null }> {
  const { git } = deps;
  const env = deps.env ?? process.env;
  const head = query.head ?? env.NX_HEAD ?? null;
  const baseRef = query.base ?? deps.graphs.defaultBase(root);
  if (query.files || query.uncommitted || query.untracked) {
    // Only the named files or the working tree count; like Nx, the base (for JSON diffs) may even be missing.
    const [{ ref: base }, files] = await Promise.all([
      git.mergeBaseLenient(root, baseRef, head ?? 'HEAD'),
      query.files ? Promise.resolve(query.files) : query.uncommitted ? git.uncommittedFiles(root) : git.untrackedFiles(root),
    ]);
    return { files, base, head };
  }
  // Without --head the working tree counts too: ask for it now, alongside the merge-base (the graph's
  // cache key reads the same status, and the git adapter runs it once for both).
  const dirty = head ? null : git.workingTreeChanges(root);
  dirty?.catch(() => undefined); // awaited below; a merge-base failure is the one to report
  const base = await git.mergeBase(root, baseRef, head ?? 'HEAD');
  if (head) return { files: await git.filesBetween(root, base, head), base, head };
  const [between, changed] = await Promise.all([git.filesBetween(root, base, 'HEAD'), dirty as Promise<string[]>]);
  return { files: [...new Set([...between, ...changed])], base, head };
}

export async function computeAffected(deps: AffectedDeps, query: AffectedQuery, opts: { progress?: Progress }): Promise<AffectedSet> {
  const { git, graphs } = deps;
  const root = graphs.root(query.dir);
  const nx = query.nx ?? deps.nxChoice?.(root);
  const workingTree = Boolean(query.uncommitted || query.untracked || query.files);
  const headRef = query.head ?? (deps.env ?? process.env).NX_HEAD;
  // The touched files and the head commit depend on git alone, not on the graph: ask for them
  // while the graph loads. A load failure (say, not a git repository) is the one to report.
  const [snapshotResult, touchedResult, headResult] = await Promise.allSettled([
    graphs.snapshot(root, { progress: opts.progress, ...(nx ? { nx } : {}) }),
    touchedFiles(deps, root, query),
    workingTree || !headRef || isSha(headRef) ? Promise.resolve(headRef ?? null) : git.revParse(root, headRef),
  ]);
  if (snapshotResult.status === 'rejected') throw snapshotResult.reason;
  if (touchedResult.status === 'rejected') throw touchedResult.reason;
  if (headResult.status === 'rejected') throw headResult.reason;
  const snapshot = snapshotResult.value;
  const { files, base, head } = touchedResult.value;
  if (snapshot.graph.cycles.length > 0 && !query.allowCycles) throw cycleError(snapshot.graph.cycles);
  const projects = snapshot.graph.projects;
  const owner = createOwnerLookup(projects);
  const visible = files.filter((file) => !snapshot.isIgnored(file));
  // Named files (--files) are whole-file changes for Nx, so even a project's package.json goes to Nx.
  const { owned, needsNx } = classifyTouchedFiles(visible, owner, (file) => snapshot.isDeleted(file));

  let touchedByNx: string[];
  let byFile: Record<string, string[]> = {};
  let dependencies: Record<string, string[]> = {};
  let considered = visible;
  if (needsNx.length === 0) {
    touchedByNx = [...owned.keys()];
  } else {
    opts.progress?.(`Asking Nx about ${needsNx.length} workspace-level file(s)`, null);
    const answer = await snapshot.locate(files, base, head, needsNx.slice(0, MAX_ATTRIBUTED_FILES), { whole: Boolean(query.files) });
    touchedByNx = answer.touched;
    byFile = answer.byFile;
    considered = answer.considered;
    dependencies = answer.dependencies ?? {};
  }
  // Every considered file inside a project counts as that project's own, config files included.
  const ownedAll = new Map<string, string[]>();
  for (const file of considered) {
    const project = owner(file);
    if (project === null) continue;
    const list = ownedAll.get(project) ?? [];
    list.push(file);
    ownedAll.set(project, list);
  }
  const causes = attributeCauses(touchedByNx, ownedAll, byFile, dependencies);
  const affected = explainAffected(projects, causes);
  const baseSha = isSha(base) ? base : await git.revParse(root, base).catch((err: unknown) => (workingTree ? null : Promise.reject(err)));
  const headSha = workingTree || !head ? snapshot.head : headResult.value;
  return {
    workspace: root,
    base: baseSha,
    head: headSha,
    uncommitted: query.uncommitted ?? false,
    touchedFiles: considered.length,
    projects: affected,
    graphCached: snapshot.graph.cached,
    ...(snapshot.graph.read ? { graphRead: snapshot.graph.read } : {}),
    ...(snapshot.graph.notes?.length ? { notes: snapshot.graph.notes } : {}),
  };
}

/** The workspace port the features use: the graph port's `open`, and affected computed here. */
export function createWorkspace<G extends ProjectGraphPort>(deps: AffectedDeps & { graphs: G }): WorkspacePort & Omit<G, keyof ProjectGraphPort> & { close(): Promise<void> } {
  const { graphs } = deps;
  const { root: _root, defaultBase: _defaultBase, open: _open, snapshot: _snapshot, close: _close, ...rest } = graphs;
  return {
    ...(rest as Omit<G, keyof ProjectGraphPort>),
    open(dir, opts) {
      const nx = opts.nx ?? deps.nxChoice?.(graphs.root(dir));
      return graphs.open(dir, { ...opts, ...(nx ? { nx } : {}) });
    },
    affected(query, opts) {
      return abortable(computeAffected(deps, query, opts), opts.signal, 'Computing the affected projects');
    },
    async close() {
      await graphs.close?.();
    },
  };
}
