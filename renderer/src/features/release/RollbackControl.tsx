// The rollback button after a release: undoes everything one finished release changed in one
// environment (release.rollback), after the person confirms which release and environment. The
// rollback runs in the workspace the release ran in (its record's `workspace`), not in whatever the
// workspace field says now. Its entries show as they come back; `onDone` lets the screen re-read the
// release's record, which then says `rolled-back` (and the button is no longer offered).
import { useState } from 'react';
import type { EnvironmentReport } from '../../../../shared/release-report.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';

/** An environment the release changed something in: the only kind a rollback can undo. */
export function changedSomething(env: EnvironmentReport): boolean {
  return env.services.some((s) => s.outcome !== 'not-started' && s.outcome !== 'pending');
}

export function RollbackControl({ releaseId, workspace, env, onDone }: { releaseId: string; workspace: string; env: EnvironmentReport; onDone?: () => void }) {
  const rollback = useCommand('release.rollback');
  const [confirming, setConfirming] = useState(false);
  const name = env.name;

  async function confirm() {
    setConfirming(false);
    const result = await rollback.run({ dir: workspace, releaseId, environment: name });
    if (result) onDone?.();
  }

  const result = rollback.output;
  return (
    <div className="rollback" data-testid={`release-rollback-${name}`}>
      {env.state !== 'rolled-back' && !confirming && !rollback.running && !result?.ok && (
        <button type="button" className="ghost" onClick={() => setConfirming(true)} data-testid={`release-rollback-start-${name}`}>
          Roll back {name}
        </button>
      )}
      {confirming && (
        <div className="row" data-testid={`release-rollback-confirm-${name}`}>
          <span className="small">
            Put every service release {releaseId} changed in {name} back to what ran before it?
          </span>
          <button type="button" onClick={() => void confirm()} data-testid={`release-rollback-yes-${name}`}>
            Roll back
          </button>
          <button type="button" className="ghost" onClick={() => setConfirming(false)} data-testid={`release-rollback-no-${name}`}>
            Keep it
          </button>
        </div>
      )}
      {rollback.running && <p className="small muted">Rolling back {name}…</p>}
      <CommandStatus of={[rollback]} testId={`release-rollback-status-${name}`} />
      {result && (
        <div data-testid={`release-rollback-result-${name}`} data-ok={String(result.ok)}>
          <p className={result.ok ? 'small' : 'small error-text'}>{result.ok ? `${name} is back to what ran before release ${releaseId}.` : `The rollback of ${name} did not restore every service.`}</p>
          <ul className="small">
            {result.rollbacks.map((r) => (
              <li key={r.service}>
                {r.service}: {r.outcome} — {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
