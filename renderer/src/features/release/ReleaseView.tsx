// One release's record, live or from the history: its state, the stage timeline (each stage's state
// and duration), per environment the services and any rollbacks, and — while an environment waits for
// approval — the combined diff with Approve and Reject. Cancel while it runs; once it has finished, a
// rollback button for each environment it changed something in.
import type { EnvironmentReport, ReleaseReport } from '../../../../shared/release-report.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { PushesTable } from './PushesTable.js';
import { RollbackControl, changedSomething } from './RollbackControl.js';
import { formatDuration, isFinished, stageLabel, stateTone, waitingEnvironment } from './release-format.js';

/** `onChanged`: the record changed behind this view (a rollback), so whoever holds it should read it again. */
export function ReleaseView({ report, onChanged }: { report: ReleaseReport; onChanged?: () => void }) {
  const approve = useCommand('release.approve');
  const reject = useCommand('release.reject');
  const cancel = useCommand('release.cancel');
  const waiting = waitingEnvironment(report);
  const finished = isFinished(report.state);
  const deciding = approve.running || reject.running;

  return (
    <div className="result release" data-testid="release-view" data-state={report.state}>
      <div className="row spread">
        <h3>
          Release to {report.target}
          {report.only ? ' only' : ''} <span className="mono small" data-testid="release-id">{report.id}</span>
        </h3>
        <span className={`badge ${stateTone(report.state)}`} data-testid="release-state">
          {report.state}
        </span>
      </div>
      {report.cause && (
        <p className="error-text" role="alert" data-testid="release-cause">
          {report.cause.message}
        </p>
      )}
      <p className="small muted">
        {report.commit ? `commit ${report.commit.slice(0, 12)}` : 'no commit'}
        {report.author ? ` by ${report.author}` : ''} · {report.services.length} service{report.services.length === 1 ? '' : 's'} · {report.buildCalls} build
        {report.buildCalls === 1 ? '' : 's'} · {report.applies} appl{report.applies === 1 ? 'y' : 'ies'}
      </p>
      {!finished && (
        <div className="row">
          <button type="button" className="ghost" disabled={cancel.running} onClick={() => void cancel.run({ releaseId: report.id })} data-testid="release-cancel">
            {cancel.output?.cancelled ? 'Cancelling…' : 'Cancel release'}
          </button>
        </div>
      )}
      {waiting && waiting.approval.state === 'waiting' && (
        <div className="approval" data-testid="release-approval">
          <h4>
            {waiting.name} waits for approval
          </h4>
          <pre className="log mono small" data-testid="release-diff">
            {waiting.diff?.text.trim() ? waiting.diff.text : 'No changes in the combined diff.'}
          </pre>
          <div className="row">
            <button type="button" disabled={deciding} onClick={() => void approve.run({ releaseId: report.id, environment: waiting.name })} data-testid="release-approve">
              Approve
            </button>
            <button type="button" className="ghost" disabled={deciding} onClick={() => void reject.run({ releaseId: report.id, environment: waiting.name })} data-testid="release-reject">
              Reject
            </button>
          </div>
        </div>
      )}
      <CommandStatus of={[approve, reject, cancel]} testId="release-decision" />
      <h4>Stages</h4>
      <table data-testid="release-stages">
        <thead>
          <tr>
            <th>Stage</th>
            <th>State</th>
            <th>Duration</th>
            <th>Note</th>
          </tr>
        </thead>
        <tbody>
          {report.stages.map((stage, i) => (
            <tr key={`${stage.environment ?? ''}-${stage.name}-${i}`} data-testid={`stage-${stage.environment ? `${stage.environment}-` : ''}${stage.name}`} data-state={stage.state}>
              <td>{stageLabel(stage)}</td>
              <td>
                <span className={`badge ${stateTone(stage.state)}`}>{stage.state}</span>
              </td>
              <td>{stage.state === 'running' ? 'running…' : formatDuration(stage.durationMs)}</td>
              <td className="small">{stage.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <PushesTable pushes={report.pushes ?? []} />
      {report.environments.map((env) => (
        <EnvironmentPart key={env.name} env={env} rollback={finished && changedSomething(env) ? { releaseId: report.id, workspace: report.workspace, onDone: onChanged } : null} />
      ))}
    </div>
  );
}

interface RollbackOffer {
  releaseId: string;
  workspace: string;
  onDone: (() => void) | undefined;
}

function EnvironmentPart({ env, rollback }: { env: EnvironmentReport; rollback: RollbackOffer | null }) {
  return (
    <div data-testid={`release-env-${env.name}`} data-state={env.state}>
      <h4>
        {env.name} <span className="small muted">({env.kind})</span> <span className={`badge ${stateTone(env.state)}`}>{env.state}</span>
      </h4>
      {env.approval.required && env.approval.by && (
        <p className="small" data-testid={`release-approved-${env.name}`}>
          {env.approval.state} by {env.approval.by}
          {env.approval.at ? ` at ${env.approval.at}` : ''}
        </p>
      )}
      {env.cause && <p className="error-text small">{env.cause.message}</p>}
      {env.services.length > 0 && (
        <table className="small">
          <thead>
            <tr>
              <th>Service</th>
              <th>Wave</th>
              <th>Image</th>
              <th>Outcome</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {env.services.map((s) => (
              <tr key={s.service} data-testid={`release-service-${env.name}-${s.service}`}>
                <td className="strong">{s.service}</td>
                <td>{s.wave + 1}</td>
                <td className="mono">{s.image}</td>
                <td>
                  {s.outcome}
                  {s.error && <div className="error-text">{s.error.message}</div>}
                </td>
                <td>{formatDuration(s.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {env.skipped.length > 0 && <p className="small muted">Unchanged, skipped: {env.skipped.map((s) => s.service).join(', ')}</p>}
      {env.rollbacks.length > 0 && (
        <ul className="small" data-testid={`release-rollbacks-${env.name}`}>
          {env.rollbacks.map((r, i) => (
            <li key={`${r.service}-${i}`}>
              {r.service}: {r.outcome} — {r.message}
            </li>
          ))}
        </ul>
      )}
      {rollback && <RollbackControl releaseId={rollback.releaseId} workspace={rollback.workspace} env={env} onDone={rollback.onDone} />}
    </div>
  );
}
