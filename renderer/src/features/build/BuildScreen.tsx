// Build and test: runs `build.run` for the affected (or named) projects, shows its progress and its
// own redacted log lines live (build.log events of this job only), lets the user cancel, and ends with
// one row per project (image, build result, tests) and a link to the run in the history.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { BuildReport, ProjectBuild } from '../../../../shared/domain.js';
import { useClient } from '../../client/client-context.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { useWorkspace, workspaceDir } from '../workspace/workspace-context.js';

/** Lines kept on screen; the full log is in the history store. */
const MAX_LINES = 300;

interface LogLine {
  n: number;
  project: string;
  phase: 'build' | 'test';
  line: string;
}

/** build.run's input: the named projects (comma-separated), else the affected ones. */
export function buildInput(dir: string, form: { projects: string; base: string }) {
  const target = workspaceDir(dir);
  if (typeof target !== 'string') return target;
  const names = form.projects
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return { dir: target, ...(names.length > 0 ? { projects: names } : {}), ...(form.base.trim() ? { base: form.base.trim() } : {}) };
}

export function BuildScreen() {
  const client = useClient();
  const { dir } = useWorkspace();
  const [projects, setProjects] = useState('');
  const [base, setBase] = useState('');
  const [lines, setLines] = useState<LogLine[]>([]);
  const counter = useRef(0);
  const job = useCommand('build.run', { onStart: () => setLines([]) });
  const { isCurrentJob } = job;

  // Only this screen's job is shown: other clients may be building at the same time. The job's id
  // arrives (onStart) before any of its events.
  useEffect(
    () =>
      client.on('build.log', (entry) => {
        if (!isCurrentJob(entry.jobId)) return;
        const next: LogLine = { n: counter.current++, project: entry.project, phase: entry.phase, line: entry.line };
        setLines((old) => [...old.slice(-(MAX_LINES - 1)), next]);
      }),
    [client, isCurrentJob],
  );

  function build(event: FormEvent) {
    event.preventDefault();
    void job.run(buildInput(dir, { projects, base }));
  }

  return (
    <section className="panel" aria-labelledby="build-title">
      <h2 id="build-title">Build and test</h2>
      <form className="row" onSubmit={build}>
        <label>
          <span className="label">Projects</span>
          <input type="text" value={projects} onChange={(e) => setProjects(e.target.value)} placeholder="affected ones" spellCheck={false} data-testid="build-projects" />
        </label>
        <label>
          <span className="label">Base</span>
          <input type="text" value={base} onChange={(e) => setBase(e.target.value)} placeholder="main" spellCheck={false} data-testid="build-base" />
        </label>
        <button type="submit" disabled={job.running} data-testid="build-run">
          {job.running ? 'Building…' : 'Build and test'}
        </button>
        {job.running && (
          <button type="button" className="ghost" onClick={() => void job.cancel()} disabled={!job.jobId} data-testid="build-cancel">
            Cancel
          </button>
        )}
      </form>
      <CommandStatus of={[job]} testId="build" />
      {job.output && <BuildResult report={job.output} />}
      {lines.length > 0 && (
        <pre className="log mono small" data-testid="build-log">
          {lines.map((l) => (
            <div key={l.n}>
              <span className="muted">
                [{l.project} {l.phase}]
              </span>{' '}
              {l.line}
            </div>
          ))}
        </pre>
      )}
    </section>
  );
}

function buildText(p: ProjectBuild): string {
  if (p.status === 'built') return `built in ${((p.durationMs ?? 0) / 1000).toFixed(1)} s`;
  if (p.status === 'cached') return 'cached (no build)';
  return p.status;
}

function testText(p: ProjectBuild): string {
  const t = p.test;
  if (t.status === 'none') return 'no tests';
  if (t.status === 'not-run') return 'not run';
  if (t.status === 'failed') return `failed (exit ${String(t.exitCode)})`;
  return t.status;
}

function BuildResult({ report }: { report: BuildReport }) {
  return (
    <div className="result">
      <p className={report.ok ? 'muted' : 'error-text'} data-testid="build-summary">
        {report.ok ? 'Succeeded' : 'Failed'}: {report.projects.length} project{report.projects.length === 1 ? '' : 's'}, {report.buildCalls} build
        {report.buildCalls === 1 ? '' : 's'} made
      </p>
      <p className="small">
        <Link to={`/history/${encodeURIComponent(report.runId)}`} data-testid="build-run-link">
          This run in the history
        </Link>
      </p>
      {report.projects.length === 0 ? (
        <p className="muted">Nothing to build: no affected project has a Dockerfile.</p>
      ) : (
        <table className="builds" data-testid="build-table">
          <thead>
            <tr>
              <th>Project</th>
              <th>Image</th>
              <th>Build</th>
              <th>Tests</th>
            </tr>
          </thead>
          <tbody>
            {report.projects.map((p) => (
              <tr key={p.project} data-testid={`build-${p.project}`}>
                <td className="strong">{p.project}</td>
                <td className="mono small">{p.image ?? '—'}</td>
                <td>{buildText(p)}</td>
                <td>
                  {testText(p)}
                  {p.error && <div className="error-text small">{p.error.message}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
