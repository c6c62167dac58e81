// The history (#/history): the latest runs, newest first, each with its kind; #/history/<runId> shows
// one run's details above the list, so a link to a run can be shared or reloaded; a release's details
// include its record (stages, services, approvals) from history.get.
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import type { RunSummary } from '../../../../shared/domain.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { ReleaseRecord } from '../release/ReleaseScreen.js';
import { formatTime, runKindLabel, shortId } from './run-format.js';

/** Runs listed; a run further back is found through the CLI. */
export const HISTORY_LIMIT = 100;

export function HistoryScreen() {
  const { runId } = useParams();
  const list = useCommand('history.list');
  const { run } = list;

  useEffect(() => {
    void run({ limit: HISTORY_LIMIT });
  }, [run]);

  const runs = list.output?.runs ?? null;
  const selected = runId && runs ? runs.find((r) => r.id === runId) ?? null : null;

  return (
    <section className="panel" aria-labelledby="history-title">
      <div className="row spread">
        <h2 id="history-title">History</h2>
        <button type="button" className="ghost" disabled={list.running} onClick={() => void run({ limit: HISTORY_LIMIT })} data-testid="history-refresh">
          {list.running ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      <CommandStatus of={[list]} testId="history" />
      {runId && runs && !selected && (
        <p className="error-text" role="alert" data-testid="history-missing">
          Run {runId} is not among the latest {HISTORY_LIMIT} runs.
        </p>
      )}
      {selected && <RunDetails run={selected} />}
      {runs && runs.length === 0 && (
        <p className="muted" data-testid="history-empty">
          No runs yet: a build, a release or a rollback shows up here.
        </p>
      )}
      {runs && runs.length > 0 && <RunTable runs={runs} selected={runId ?? null} />}
    </section>
  );
}

function RunDetails({ run }: { run: RunSummary }) {
  return (
    <div className="result run-details" data-testid="run-details">
      <h3>
        {runKindLabel(run.kind)} <span className="mono small">{run.id}</span>
      </h3>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="run-status">{run.status}</dd>
        </div>
        <div>
          <dt>Workspace</dt>
          <dd className="mono">{run.workspace}</dd>
        </div>
        {run.environment && (
          <div>
            <dt>Environment</dt>
            <dd data-testid="run-environment">{run.environment}</dd>
          </div>
        )}
        <div>
          <dt>Changes</dt>
          <dd className="mono">
            {run.base ? shortId(run.base) : 'default base'} → {run.head ? shortId(run.head) : 'working tree'}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(run.createdAt)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{run.finishedAt ? formatTime(run.finishedAt) : '—'}</dd>
        </div>
      </dl>
      {run.summary && <p data-testid="run-summary">{run.summary}</p>}
      {run.kind === 'release' && (
        <>
          <p className="small">
            <Link to={`/release/${encodeURIComponent(run.id)}`} data-testid="run-release-link">
              Open the release
            </Link>
          </p>
          <ReleaseRecord releaseId={run.id} />
        </>
      )}
    </div>
  );
}

function RunTable({ runs, selected }: { runs: RunSummary[]; selected: string | null }) {
  return (
    <table data-testid="history-table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Kind</th>
          <th>Status</th>
          <th>Started</th>
          <th>Summary</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-testid={`run-${run.id}`} className={run.id === selected ? 'selected' : undefined}>
            <td className="mono small">
              <Link to={`/history/${encodeURIComponent(run.id)}`}>{shortId(run.id)}</Link>
            </td>
            <td>{runKindLabel(run.kind)}</td>
            <td>{run.status}</td>
            <td>{formatTime(run.createdAt)}</td>
            <td className="small">{run.summary ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
