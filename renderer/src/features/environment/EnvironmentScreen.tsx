// An environment of convoy.yaml (#/environments/<name>): what runs there (state, revision, image per
// service), and per service a rollback that first shows what will change and waits for a confirmation,
// then shows the environment again.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import type { EnvironmentStatus } from '../../../../shared/domain.js';
import { refuse, useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { useWorkspace, workspaceDir } from '../workspace/workspace-context.js';
import { RollbackDialog } from './RollbackDialog.js';

/** target.status's input, or what the person has to fill in first. */
export function statusInput(dir: string, environment: string) {
  const target = workspaceDir(dir);
  if (typeof target !== 'string') return target;
  if (!environment.trim()) return refuse('Name an environment of convoy.yaml, e.g. staging.');
  return { dir: target, environment: environment.trim() };
}

export function EnvironmentScreen() {
  const { environment } = useParams();
  // A new environment is a new view: its status, rollback and dialog start afresh.
  return <EnvironmentView key={environment ?? ''} environment={environment ?? null} />;
}

function EnvironmentView({ environment }: { environment: string | null }) {
  const { dir } = useWorkspace();
  const navigate = useNavigate();
  const [name, setName] = useState(environment ?? '');
  const [asking, setAsking] = useState<string | null>(null);
  const status = useCommand('target.status');
  const revisions = useCommand('target.revisions');
  const rollback = useCommand('target.rollback');
  const busy = status.running || revisions.running || rollback.running;
  const loaded = useRef(false);

  // Opening #/environments/<name> shows its status at once (once per view, also under StrictMode).
  useEffect(() => {
    if (!environment || loaded.current) return;
    loaded.current = true;
    void status.run(statusInput(dir, environment));
    // Only on arrival: typing a new workspace path must not ask the target again.
  }, []);

  function show(event: FormEvent) {
    event.preventDefault();
    const input = statusInput(dir, name);
    if ('refused' in input || input.environment === environment) void status.run(input);
    else void navigate(`/environments/${encodeURIComponent(input.environment)}`);
  }

  function askRollback(service: string) {
    const input = statusInput(dir, environment ?? '');
    setAsking(service);
    void revisions.run('refused' in input ? input : { ...input, service });
  }

  async function confirmRollback(service: string, toRevision: string) {
    setAsking(null);
    const input = statusInput(dir, environment ?? '');
    if ('refused' in input) {
      void status.run(input);
      return;
    }
    if (await rollback.run({ ...input, service, toRevision })) await status.run(input);
  }

  return (
    <section className="panel" aria-labelledby="environment-title">
      <h2 id="environment-title">Environment</h2>
      <form className="row" onSubmit={show}>
        <label>
          <span className="label">Name</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="staging" spellCheck={false} data-testid="env-name" />
        </label>
        <button type="submit" disabled={busy} data-testid="env-status">
          {status.running ? 'Asking…' : 'Show status'}
        </button>
      </form>
      <CommandStatus of={[status, rollback]} testId="env" />
      {rollback.output && (
        <p className="muted" role="status" data-testid="env-rolled-back">
          {rollback.output.service}: rolled back from revision {rollback.output.from ?? '—'} to the content of revision {rollback.output.to}
          {rollback.output.current ? ` (now revision ${rollback.output.current})` : ''}
        </p>
      )}
      {status.output && <ServiceTable status={status.output} busy={busy} onRollback={askRollback} />}
      {asking && environment && (
        <RollbackDialog
          environment={environment}
          service={asking}
          revisions={revisions.output?.service === asking ? revisions.output.revisions : null}
          error={revisions.error}
          onCancel={() => setAsking(null)}
          onConfirm={(to) => void confirmRollback(asking, to)}
        />
      )}
    </section>
  );
}

function ServiceTable({ status, busy, onRollback }: { status: EnvironmentStatus; busy: boolean; onRollback(service: string): void }) {
  return (
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
                  <button type="button" className="ghost" disabled={busy} onClick={() => onRollback(s.service)} data-testid={`env-rollback-${s.service}`}>
                    Roll back…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
