// The opened workspace: how the opening went, then its projects with their dependencies and what
// Convoy can do with each.
import type { WorkspaceGraph } from '../../../../shared/domain.js';
import { useWorkspace } from './workspace-context.js';

export function WorkspaceScreen() {
  const { open } = useWorkspace();
  return (
    <section className="panel" aria-labelledby="workspace-title">
      <h2 id="workspace-title">Workspace</h2>
      {!open.running && !open.output && !open.error && <p className="muted">Enter a workspace path above and press Open.</p>}
      {open.progress.length > 0 && (
        <ol className="progress" data-testid="workspace-progress" aria-live="polite">
          {open.progress.map((p, index) => (
            <li key={index}>
              {p.message}
              {p.fraction !== null && <span className="muted"> · {Math.round(p.fraction * 100)}%</span>}
            </li>
          ))}
        </ol>
      )}
      {open.error && (
        <p className="error-text" role="alert" data-testid="workspace-error">
          {open.error}
        </p>
      )}
      {open.output && <ProjectTable graph={open.output} />}
    </section>
  );
}

function ProjectTable({ graph }: { graph: WorkspaceGraph }) {
  return (
    <div className="result">
      <p className="muted" data-testid="workspace-summary">
        {graph.projects.length} project{graph.projects.length === 1 ? '' : 's'} in <span className="mono">{graph.root}</span> · Nx{' '}
        {graph.nxVersion} ({graph.nxSource}){graph.cached ? ' · from cache' : ''}
      </p>
      {graph.cycles.length > 0 && (
        <p className="error-text" role="alert" data-testid="workspace-cycles">
          Dependency cycle{graph.cycles.length === 1 ? '' : 's'}: {graph.cycles.map((cycle) => cycle.join(' → ')).join('; ')}. Releases
          need a dependency order: remove one of these dependencies.
        </p>
      )}
      <table data-testid="project-table">
        <thead>
          <tr>
            <th>Project</th>
            <th>Type</th>
            <th>Depends on</th>
            <th>Buildable</th>
            <th>Deployable</th>
          </tr>
        </thead>
        <tbody>
          {graph.projects.map((project) => (
            <tr key={project.name} data-testid={`project-${project.name}`}>
              <td>
                <span className="strong">{project.name}</span>
                <span className="muted mono small"> {project.root}</span>
              </td>
              <td>
                <span className={`tag type-${project.type}`}>{project.type}</span>
              </td>
              <td>{project.dependencies.length > 0 ? project.dependencies.join(', ') : <span className="muted">—</span>}</td>
              <td>{project.capabilities.buildable ? <span className="yes">yes</span> : <span className="muted">no</span>}</td>
              <td>{project.capabilities.deployable ? <span className="yes">yes</span> : <span className="muted">no</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
