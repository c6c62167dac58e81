// The banner for releases a dead process left interrupted (recover.list): what each object they meant
// to change is now, and the same two choices as `convoy recover` — Resume (recover.resume) or Roll back
// (recover.rollback, confirmed first). Nothing happens until the person picks one.
import { useEffect, useState } from 'react';
import type { InterruptedRelease } from '../../../../shared/contract/recover.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';

export function InterruptedBanner() {
  const list = useCommand('recover.list');
  const resume = useCommand('recover.resume');
  const rollback = useCommand('recover.rollback');
  const { run } = list;
  useEffect(() => void run({}), [run]);
  const releases = list.output?.releases ?? [];
  if (releases.length === 0 && !resume.output && !rollback.output) return null;

  const act = async (kind: 'resume' | 'rollback', releaseId: string) => {
    const done = kind === 'resume' ? await resume.run({ releaseId, approval: 'wait' }) : await rollback.run({ releaseId });
    if (done) void run({});
  };
  const busy = resume.running || rollback.running;
  const result = resume.output ?? rollback.output;
  return (
    <div className="banner warning" role="alert" data-testid="recover-banner">
      {releases.map((r) => (
        <InterruptedItem key={r.releaseId} release={r} busy={busy} onResume={() => void act('resume', r.releaseId)} onRollback={() => void act('rollback', r.releaseId)} />
      ))}
      <CommandStatus of={[resume, rollback]} testId="recover" />
      {result && (
        <p className="small" data-testid="recover-result">
          {result.action === 'resume' ? 'Resumed' : 'Rolled back'} release {result.releaseId}: {result.ok ? 'done' : `not done — ${result.error?.message ?? ''}`}
        </p>
      )}
    </div>
  );
}

function InterruptedItem({ release, busy, onResume, onRollback }: { release: InterruptedRelease; busy: boolean; onResume: () => void; onRollback: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const changed = release.objects.filter((o) => o.environment === release.environment && o.journal !== 'none');
  return (
    <div data-testid={`interrupted-${release.releaseId}`}>
      <p>
        <strong>Release {release.releaseId} was interrupted</strong>
        {release.environment ? ` in ${release.environment}` : ' before any environment'}: {release.reason}. Convoy will not resume or roll it back on its own.
      </p>
      <ul className="small">
        {release.objects.map((o) => (
          <li key={`${o.environment}/${o.service}`} data-testid={`interrupted-object-${o.environment}-${o.service}`} data-state={o.state}>
            {o.environment}/{o.service}: {o.state} — {o.message}
            {o.resources.length > 0 && (
              <ul>
                {o.resources.map((r) => (
                  <li key={r.object} data-testid={`interrupted-resource-${o.environment}-${o.service}-${r.object}`} data-state={r.state}>
                    {r.object}: {r.state} — {r.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {confirming ? (
        <p className="row">
          <span data-testid="recover-rollback-preview">
            Roll back {changed.length === 0 ? 'nothing (no service was changed there)' : changed.map((o) => `${o.service} → ${o.before?.image ?? 'removed'}`).join(', ')}?
          </span>
          <button type="button" disabled={busy} onClick={() => (setConfirming(false), onRollback())} data-testid="recover-rollback-confirm">
            Roll back
          </button>
          <button type="button" className="ghost" onClick={() => setConfirming(false)} data-testid="recover-rollback-cancel">
            Keep it
          </button>
        </p>
      ) : (
        <p className="row">
          <button type="button" disabled={busy} onClick={onResume} data-testid="recover-resume">
            Resume
          </button>
          <button type="button" className="ghost" disabled={busy} onClick={() => setConfirming(true)} data-testid="recover-rollback">
            Roll back…
          </button>
        </p>
      )}
    </div>
  );
}
