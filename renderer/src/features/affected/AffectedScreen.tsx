// Affected: which projects a change touches (base…head, or the uncommitted changes), each with why.
import { type FormEvent, useState } from 'react';
import type { AffectedSet } from '../../../../shared/domain.js';
import { useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { useWorkspace, workspaceDir } from '../workspace/workspace-context.js';

export interface AffectedForm {
  base: string;
  head: string;
  uncommitted: boolean;
  allowCycles: boolean;
}

/**
 * affected.compute's input from the form: blank fields are left to the core's defaults. With
 * "uncommitted" the base and head are left out, as nx has it (they cannot be combined).
 */
export function affectedInput(dir: string, form: AffectedForm) {
  const target = workspaceDir(dir);
  if (typeof target !== 'string') return target;
  const range = !form.uncommitted;
  return {
    dir: target,
    ...(range && form.base.trim() ? { base: form.base.trim() } : {}),
    ...(range && form.head.trim() ? { head: form.head.trim() } : {}),
    ...(form.uncommitted ? { uncommitted: true } : {}),
    ...(form.allowCycles ? { allowCycles: true } : {}),
  };
}

export function AffectedScreen() {
  const { dir } = useWorkspace();
  const [base, setBase] = useState('');
  const [head, setHead] = useState('');
  const [uncommitted, setUncommitted] = useState(false);
  const [allowCycles, setAllowCycles] = useState(false);
  const job = useCommand('affected.compute');

  function compute(event: FormEvent) {
    event.preventDefault();
    void job.run(affectedInput(dir, { base, head, uncommitted, allowCycles }));
  }

  return (
    <section className="panel" aria-labelledby="affected-title">
      <h2 id="affected-title">Affected</h2>
      <form className="row" onSubmit={compute}>
        <label>
          <span className="label">Base</span>
          <input type="text" value={base} onChange={(e) => setBase(e.target.value)} placeholder="main" spellCheck={false} disabled={uncommitted} data-testid="affected-base" />
        </label>
        <label>
          <span className="label">Head</span>
          <input type="text" value={head} onChange={(e) => setHead(e.target.value)} placeholder="HEAD" spellCheck={false} disabled={uncommitted} data-testid="affected-head" />
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
      <CommandStatus of={[job]} testId="affected" />
      {job.output && <AffectedList result={job.output} />}
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
