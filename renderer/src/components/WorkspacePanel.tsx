import { type FormEvent, useState } from 'react';
import type { ConvoyClient, JobProgress } from '../../../shared/client.js';
import type { WorkspaceGraph } from '../../../shared/domain.js';
import { errorMessage } from '../format.js';
import { useJob } from './use-job.js';

interface WorkspacePanelProps {
  client: ConvoyClient;
  dir: string;
  onDirChange: (dir: string) => void;
}

export function WorkspacePanel({ client, dir, onDirChange }: WorkspacePanelProps) {
  const [graph, setGraph] = useState<WorkspaceGraph | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(client);

  async function open(event: FormEvent) {
    event.preventDefault();
    const target = dir.trim();
    if (!target) {
      setError('Enter the path of an Nx workspace first.');
      return;
    }
    setError(null);
    try {
      setGraph(await job.run((onProgress: (p: JobProgress) => void, onStart: (jobId: string) => void) => client.run('workspace.open', { dir: target }, onProgress, onStart)));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section className="panel" aria-labelledby="workspace-title">
      <h2 id="workspace-title">Workspace</h2>
      <form className="row" onSubmit={(event) => void open(event)}>
        <label className="grow">
          <span className="label">Workspace path</span>
          <input
            type="text"
            value={dir}
            onChange={(event) => onDirChange(event.target.value)}
            placeholder="/path/to/nx/workspace"
            spellCheck={false}
            data-testid="workspace-dir"
          />
        </label>
        <button type="submit" disabled={job.running} data-testid="workspace-open">
          {job.running ? 'Opening…' : 'Open'}
        </button>
        {job.running && job.jobId && (
          <button type="button" className="ghost" onClick={() => void job.cancel()} data-testid="workspace-cancel">
            Cancel
          </button>
        )}
      </form>
      {job.progress.length > 0 && (
        <ol className="progress" data-testid="workspace-progress" aria-live="polite">
          {job.progress.map((p, index) => (
            <li key={index}>
              {p.message}
              {p.fraction !== null && <span className="muted"> · {Math.round(p.fraction * 100)}%</span>}
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid="workspace-error">
          {error}
        </p>
      )}
      {graph && <ProjectTable graph={graph} />}
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
