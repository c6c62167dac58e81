// An environment of convoy.yaml: what runs there (state, revision, image per service), and a rollback
// button per service that takes it back to its previous revision, then shows the environment again.
import { type FormEvent, useState } from 'react';
import type { ConvoyClient } from '../../../shared/client.js';
import type { EnvironmentStatus, ServiceRollback } from '../../../shared/domain.js';
import { errorMessage } from '../format.js';
import { JobStatus } from './JobStatus.js';
import { useJob } from './use-job.js';

interface EnvironmentPanelProps {
  client: ConvoyClient;
  dir: string;
}

export function EnvironmentPanel({ client, dir }: EnvironmentPanelProps) {
  const [environment, setEnvironment] = useState('');
  const [status, setStatus] = useState<EnvironmentStatus | null>(null);
  const [rolledBack, setRolledBack] = useState<ServiceRollback | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(client);

  function inputs(): { dir: string; environment: string } | null {
    if (!dir.trim()) {
      setError('Enter the workspace path above first.');
      return null;
    }
    if (!environment.trim()) {
      setError('Name an environment of convoy.yaml, e.g. staging.');
      return null;
    }
    return { dir: dir.trim(), environment: environment.trim() };
  }

  async function refresh(event?: FormEvent) {
    event?.preventDefault();
    const input = inputs();
    if (!input) return;
    setError(null);
    try {
      setStatus(await job.run((onProgress, onStart) => client.run('target.status', input, onProgress, onStart)));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function rollback(service: string) {
    const input = inputs();
    if (!input) return;
    setError(null);
    setRolledBack(null);
    try {
      setRolledBack(await job.run((onProgress, onStart) => client.run('target.rollback', { ...input, service }, onProgress, onStart)));
      setStatus(await job.run((onProgress, onStart) => client.run('target.status', input, onProgress, onStart)));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section className="panel" aria-labelledby="environment-title">
      <h2 id="environment-title">Environment</h2>
      <form className="row" onSubmit={(event) => void refresh(event)}>
        <label>
          <span className="label">Name</span>
          <input type="text" value={environment} onChange={(e) => setEnvironment(e.target.value)} placeholder="staging" spellCheck={false} data-testid="env-name" />
        </label>
        <button type="submit" disabled={job.running} data-testid="env-status">
          {job.running ? 'Asking…' : 'Show status'}
        </button>
      </form>
      <JobStatus running={job.running} progress={job.progress} error={error} testId="env" />
      {rolledBack && (
        <p className="muted" role="status" data-testid="env-rolled-back">
          {rolledBack.service}: rolled back from revision {rolledBack.from ?? '—'} to the content of revision {rolledBack.to}
          {rolledBack.current ? ` (now revision ${rolledBack.current})` : ''}
        </p>
      )}
      {status && (
        <div className="result">
          <p className="muted" data-testid="env-summary">
            {status.environment} · {status.kind} · {status.services.length} service{status.services.length === 1 ? '' : 's'}
          </p>
          <table data-testid="env-table">
            <thead>
              <tr>
                <th>Service</th>
                <th>State</th>
                <th>Revision</th>
                <th>Image</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {status.services.map((s) => (
                <tr key={s.service} data-testid={`env-${s.service}`}>
                  <td className="strong">{s.service}</td>
                  <td title={s.message}>{s.state}</td>
                  <td>{s.revision ?? '—'}</td>
                  <td className="mono small">{s.image ?? '—'}</td>
                  <td>
                    {s.state !== 'missing' && (
                      <button type="button" className="ghost" disabled={job.running} onClick={() => void rollback(s.service)} data-testid={`env-rollback-${s.service}`}>
                        Roll back
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
