// The confirmation before a rollback: the running revision and the one the service goes back to
// (image, commit, release, time), a choice of any earlier revision, and Cancel / Roll back. Nothing is
// asked of the target until the person confirms.
import { useEffect, useRef, useState } from 'react';
import type { TargetRevision } from '../../../../shared/domain.js';
import { defaultRollbackTarget, rollbackChoices, rollbackPreview } from './rollback-preview.js';

interface RollbackDialogProps {
  environment: string;
  service: string;
  /** null while target.revisions runs. */
  revisions: TargetRevision[] | null;
  error: string | null;
  onCancel(): void;
  onConfirm(toRevision: string): void;
}

const FIELD_LABELS = { image: 'Image', commit: 'Commit', release: 'Release', deployed: 'Deployed' } as const;

export function RollbackDialog({ environment, service, revisions, error, onCancel, onConfirm }: RollbackDialogProps) {
  const [chosen, setChosen] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const to = chosen ?? (revisions ? defaultRollbackTarget(revisions)?.revision ?? null : null);
  const preview = revisions && to ? rollbackPreview(revisions, to) : null;

  useEffect(() => cancelButton.current?.focus(), []);

  return (
    <div className="overlay">
      <div
        className="dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="rollback-title"
        data-testid="rollback-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      >
        <h2 id="rollback-title">
          Roll back {service} in {environment}?
        </h2>
        {error && (
          <p className="error-text" role="alert" data-testid="rollback-error">
            {error}
          </p>
        )}
        {!revisions && !error && <p className="muted">Reading the revisions of {service}…</p>}
        {revisions && rollbackChoices(revisions).length === 0 && (
          <p className="muted" data-testid="rollback-none">
            {service} has no earlier revision to go back to.
          </p>
        )}
        {preview && (
          <>
            <p data-testid="rollback-summary">
              Revision <span className="strong">{preview.current?.revision ?? '—'}</span> → revision{' '}
              <span className="strong">{preview.target.revision}</span>
            </p>
            <table data-testid="rollback-changes">
              <thead>
                <tr>
                  <th />
                  <th>Running now</th>
                  <th>After the rollback</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((change) => (
                  <tr key={change.field} data-testid={`rollback-${change.field}`} className={change.from === change.to ? 'muted' : undefined}>
                    <td className="strong">{FIELD_LABELS[change.field]}</td>
                    <td className="mono small">{change.from ?? '—'}</td>
                    <td className="mono small">{change.to ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rollbackChoices(revisions!).length > 1 && (
              <label>
                <span className="label">Go back to</span>
                <select value={preview.target.revision} onChange={(event) => setChosen(event.target.value)} data-testid="rollback-choice">
                  {rollbackChoices(revisions!).map((r) => (
                    <option key={r.revision} value={r.revision}>
                      revision {r.revision}
                      {r.image ? ` · ${r.image}` : ''}
                      {r.createdAt ? ` · ${r.createdAt}` : ''}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </>
        )}
        <div className="row end">
          <button type="button" className="ghost" ref={cancelButton} onClick={onCancel} data-testid="rollback-cancel">
            Cancel
          </button>
          <button type="button" disabled={!preview} onClick={() => preview && onConfirm(preview.target.revision)} data-testid="rollback-confirm">
            {preview ? `Roll back to revision ${preview.target.revision}` : 'Roll back'}
          </button>
        </div>
      </div>
    </div>
  );
}
