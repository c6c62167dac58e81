// The Release screen (#/release): the plan as waves per environment (release.plan), starting a release
// (release.start) and following it live through `release.updated`; #/release/<id> shows one release
// from the history (history.get), live as well while it still runs, so it can be approved from there.
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ReleasePlanReport } from '../../../../shared/contract/release.js';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { useClient } from '../../client/client-context.js';
import { refuse, useCommand } from '../../client/use-command.js';
import { CommandStatus } from '../../ui/CommandStatus.js';
import { useWorkspace, workspaceDir } from '../workspace/workspace-context.js';
import { InterruptedBanner } from './InterruptedBanner.js';
import { isFinished } from './release-format.js';
import { ReleaseView } from './ReleaseView.js';

export interface ReleaseForm {
  environment: string;
  projects: string;
  base: string;
  only: boolean;
}

/** release.plan's and release.start's shared input, or what the person has to fill in first. */
export function releaseInput(dir: string, form: ReleaseForm) {
  const target = workspaceDir(dir);
  if (typeof target !== 'string') return target;
  const environment = form.environment.trim();
  if (!environment) return refuse('Name the environment to release to (every earlier one runs first).');
  const projects = form.projects
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return {
    dir: target,
    environment,
    ...(form.only ? { only: true } : {}),
    ...(projects.length > 0 ? { projects } : {}),
    ...(form.base.trim() ? { base: form.base.trim() } : {}),
  };
}

export function ReleaseScreen() {
  const { releaseId } = useParams();
  return releaseId ? <ReleaseDetail releaseId={releaseId} /> : <ReleaseStart />;
}

function ReleaseStart() {
  const client = useClient();
  const { dir } = useWorkspace();
  const [form, setForm] = useState<ReleaseForm>({ environment: 'staging', projects: '', base: '', only: false });
  const [live, setLive] = useState<ReleaseReport | null>(null);
  const plan = useCommand('release.plan');
  const start = useCommand('release.start', { onStart: () => setLive(null) });
  const { isCurrentJob } = start;

  // Only this screen's release is followed; the job's id arrives before its first event.
  useEffect(() => client.on('release.updated', (update) => void (isCurrentJob(update.jobId) && setLive(update.report))), [client, isCurrentJob]);

  const report = start.output ?? live;
  const set = (change: Partial<ReleaseForm>) => setForm((old) => ({ ...old, ...change }));

  function submitPlan(event: FormEvent) {
    event.preventDefault();
    void plan.run(releaseInput(dir, form));
  }

  return (
    <section className="panel" aria-labelledby="release-title">
      <h2 id="release-title">Release</h2>
      <InterruptedBanner />
      <form className="row" onSubmit={submitPlan}>
        <label>
          <span className="label">Environment</span>
          <input type="text" value={form.environment} onChange={(e) => set({ environment: e.target.value })} spellCheck={false} data-testid="release-env" />
        </label>
        <label>
          <span className="label">Projects</span>
          <input type="text" value={form.projects} onChange={(e) => set({ projects: e.target.value })} placeholder="affected ones" spellCheck={false} data-testid="release-projects" />
        </label>
        <label>
          <span className="label">Base</span>
          <input type="text" value={form.base} onChange={(e) => set({ base: e.target.value })} placeholder="main" spellCheck={false} data-testid="release-base" />
        </label>
        <label>
          <input type="checkbox" checked={form.only} onChange={(e) => set({ only: e.target.checked })} data-testid="release-only" /> only this environment
        </label>
        <button type="submit" className="ghost" disabled={plan.running} data-testid="release-plan">
          {plan.running ? 'Planning…' : 'Plan'}
        </button>
        <button type="button" disabled={start.running} onClick={() => void start.run(releaseInput(dir, form))} data-testid="release-start">
          {start.running ? 'Releasing…' : 'Start release'}
        </button>
      </form>
      <CommandStatus of={[plan, start]} testId="release" />
      {plan.output && <PlanView plan={plan.output} />}
      {report && (
        <>
          <p className="small">
            <Link to={`/history/${encodeURIComponent(report.id)}`} data-testid="release-history-link">
              This release in the history
            </Link>
          </p>
          <ReleaseView report={report} />
        </>
      )}
    </section>
  );
}

function PlanView({ plan }: { plan: ReleasePlanReport }) {
  if (plan.services.length === 0) {
    return (
      <p className="muted" data-testid="release-plan-empty">
        Nothing to release: no affected project is deployable.
      </p>
    );
  }
  return (
    <div className="result" data-testid="release-plan-view">
      {plan.environments.map((env) => (
        <div key={env.name} data-testid={`plan-${env.name}`}>
          <h4>
            {env.name} <span className="small muted">({env.kind}{env.approvalRequired ? ', needs approval' : ''})</span>
          </h4>
          {env.waves.length === 0 ? (
            <p className="small muted">Nothing to deploy.</p>
          ) : (
            <ol className="small">
              {env.waves.map((wave, i) => (
                <li key={i} data-testid={`plan-${env.name}-wave-${i + 1}`}>
                  {wave.map((service) => `${service}${plan.images[service] ? ` (${plan.images[service]})` : ''}`).join(', ')}
                </li>
              ))}
            </ol>
          )}
          {env.skipped.length > 0 && <p className="small muted">Unchanged, skipped: {env.skipped.map((s) => s.service).join(', ')}</p>}
          {env.live.error && <p className="small error-text">Status not read: {env.live.error.message}</p>}
        </div>
      ))}
    </div>
  );
}

function ReleaseDetail({ releaseId }: { releaseId: string }) {
  return (
    <section className="panel" aria-labelledby="release-title">
      <div className="row spread">
        <h2 id="release-title">Release</h2>
        <Link to="/history">All runs</Link>
      </div>
      <ReleaseRecord releaseId={releaseId} />
    </section>
  );
}

/** How often the record of a release running in another process is read again. */
const POLL_MS = 2_000;

/**
 * One release's record read from the history, and kept live while it still runs (the History screen
 * shows it too): through `release.updated` when it runs in this process, by reading the record again
 * every POLL_MS when it runs in another one (a terminal's `convoy release` waiting for approval).
 */
export function ReleaseRecord({ releaseId }: { releaseId: string }) {
  const client = useClient();
  const record = useCommand('history.get');
  const { run } = record;
  const [live, setLive] = useState<ReleaseReport | null>(null);
  const [polled, setPolled] = useState<ReleaseReport | null>(null);

  useEffect(() => {
    setLive(null);
    setPolled(null);
    void run({ id: releaseId });
  }, [run, releaseId]);
  useEffect(() => client.on('release.updated', (update) => void (update.releaseId === releaseId && setLive(update.report))), [client, releaseId]);

  const report = live ?? polled ?? record.output;
  const elsewhere = live === null && report !== null && !isFinished(report.state);
  useEffect(() => {
    if (!elsewhere) return;
    const timer = setInterval(() => void client.call('history.get', { id: releaseId }).then(setPolled, () => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [client, elsewhere, releaseId]);

  const reread = () => {
    setPolled(null);
    void run({ id: releaseId });
  };
  return (
    <>
      <CommandStatus of={[record]} testId="release-detail" />
      {report && <ReleaseView report={report} onChanged={reread} />}
    </>
  );
}
