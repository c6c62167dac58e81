// The release's pushes to the environments' registries (issue 16): per service and registry, the
// repository, the digest every environment there deploys, and whether it was pushed, already there
// or failed (with the cause). Nothing is shown for a release without registries.
import type { PushReport } from '../../../../shared/release-report.js';

export function PushesTable({ pushes }: { pushes: readonly PushReport[] }) {
  if (pushes.length === 0) return null;
  return (
    <>
      <h4>Registries</h4>
      <table className="small" data-testid="release-pushes">
        <thead>
          <tr>
            <th>Service</th>
            <th>Repository</th>
            <th>Digest</th>
            <th>Push</th>
            <th>For</th>
          </tr>
        </thead>
        <tbody>
          {pushes.map((p) => (
            <tr key={`${p.registry}-${p.service}`} data-testid={`release-push-${p.service}`} data-outcome={p.outcome}>
              <td className="strong">{p.service}</td>
              <td className="mono">{p.repository}</td>
              <td className="mono" title={p.digest ?? undefined}>
                {p.digest ? p.digest.slice(0, 19) : '—'}
              </td>
              <td>
                {p.outcome === 'present' ? 'already there' : p.outcome}
                {p.attempts > 1 ? ` (${p.attempts} attempts)` : ''}
                {p.error && <div className="error-text">{p.error.message}</div>}
              </td>
              <td>{p.environments.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
