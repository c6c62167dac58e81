import { type FormEvent, useState } from 'react';
import type { ConvoyClient } from '../../../shared/client.js';
import type { AffectedSet } from '../../../shared/domain.js';
import { errorMessage } from '../format.js';
import { JobStatus } from './JobStatus.js';
import { useJob } from './use-job.js';

interface AffectedPanelProps {
  client: ConvoyClient;
  dir: string;
}

export function AffectedPanel({ client, dir }: AffectedPanelProps) {
  const [base, setBase] = useState('');
  const [head, setHead] = useState('');
  const [uncommitted, setUncommitted] = useState(false);
  const [allowCycles, setAllowCycles] = useState(false);
  const [result, setResult] = useState<AffectedSet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(client);

  async function compute(event: FormEvent) {
    event.preventDefault();
    const target = dir.trim();
    if (!target) {
      setError('Enter the workspace path above first.');
      return;
    }
    setError(null);
    try {
      const input = {
        dir: target,
        ...(base.trim() ? { base: base.trim() } : {}),
        ...(head.trim() ? { head: head.trim() } : {}),
        ...(uncommitted ? { uncommitted: true } : {}),
        ...(allowCycles ? { allowCycles: true } : {}),
      };
      setResult(await job.run((onProgress, onStart) => client.run('affected.compute', input, onProgress, onStart)));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section className="panel" aria-labelledby="affected-title">
      <h2 id="affected-title">Affected</h2>
      <form className="row" onSubmit={(event) => void compute(event)}>
        <label>
          <span className="label">Base</span>
          <input type="text" value={base} onChange={(e) => setBase(e.target.value)} placeholder="main" spellCheck={false} data-testid="affected-base" />
        </label>
        <label>
          <span className="label">Head</span>
          <input type="text" value={head} onChange={(e) => setHead(e.target.value)} placeholder="HEAD" spellCheck={false} data-testid="affected-head" />
        </label>
        <label className="check">
          <input type="checkbox" checked={uncommitted} onChange={(e) => setUncommitted(e.target.checked)} data-testid="affected-uncommitted" />
          only uncommitted changes (against HEAD)
        </label>
        <label className="check">
          <input type="checkbox" checked={allowCycles} onChange={(e) => setAllowCycles(e.target.checked)} data-testid="affected-allow-cycles" />
          answer despite dependency cycles
        </label>
        <button type="submit" disabled={job.running} data-testid="affected-compute">
          {job.running ? 'Computing…' : 'Compute'}
        </button>
      </form>
      <JobStatus running={job.running} progress={job.progress} error={error} testId="affected" />
      {result && <AffectedList result={result} />}
    </section>
  );
}

/** Full commit ids are shortened for display; branch names and other refs stay as they are. */
function shortRef(ref: string | null): string | null {
  return ref && /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 10) : ref;
}

function AffectedList({ result }: { result: AffectedSet }) {
  const range = `${shortRef(result.base) ?? 'default base'} → ${shortRef(result.head) ?? 'HEAD'}${result.uncommitted ? ' + uncommitted' : ''}`;
  return (
    <div className="result">
      <p className="muted" data-testid="affected-summary">
        {result.projects.length} affected project{result.projects.length === 1 ? '' : 's'} · {result.touchedFiles} touched file
        {result.touchedFiles === 1 ? '' : 's'} · <span className="mono" title={`${result.base ?? ''} → ${result.head ?? ''}`}>
          {range}
        </span>
      </p>
      {result.projects.length === 0 ? (
        <p className="muted">Nothing is affected by these changes.</p>
      ) : (
        <ul className="affected" data-testid="affected-list">
          {result.projects.map((project) => (
            <li key={project.name} data-testid={`affected-${project.name}`}>
              <div>
                <span className="strong">{project.name}</span>{' '}
                <span className={`tag ${project.direct ? 'direct' : 'indirect'}`}>{project.direct ? 'direct' : 'via dependency'}</span>
              </div>
              <div className="mono small explanation">{project.explanation}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
