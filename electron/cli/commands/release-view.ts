// How the CLI shows a release: a live block that redraws in place in a terminal, plain lines for what
// changed otherwise, and the summary at the end (affected and why, waves, images, gates, approvals,
// where each service answers, rollbacks, time per stage). Pure functions of the release's record.
import type { EnvironmentReport, ReleaseReport, StageReport } from '../../../shared/release-report.js';

const secs = (ms: number | null) => (ms === null ? '…' : `${(ms / 1000).toFixed(1)} s`);
const MARK: Record<string, string> = { running: '…', succeeded: '✓', failed: '✗', skipped: '-', cancelled: '⊘' };

/** `http://127.0.0.1:PORT` from a Docker target status message, when it names one. */
export function endpointOf(message: string): string | null {
  return /http:\/\/127\.0\.0\.1:\d+/.exec(message)?.[0] ?? null;
}

function stageLine(stage: StageReport): string {
  const where = stage.environment ? `${stage.environment} ` : '';
  return `${MARK[stage.state] ?? '?'} ${where}${stage.name} (${secs(stage.durationMs)})${stage.message ? `: ${stage.message}` : ''}`;
}

function envLine(env: EnvironmentReport): string {
  const waves = env.waves.map((wave, i) => `wave ${i + 1}: ${wave.map((s) => `${s} ${env.services.find((d) => d.service === s)?.outcome ?? ''}`.trim()).join(', ')}`);
  const skipped = env.skipped.length > 0 ? [`unchanged: ${env.skipped.map((s) => s.service).join(', ')}`] : [];
  return `  ${env.name} [${env.state}] ${[...waves, ...skipped].join(' | ') || '(waiting for the build)'}`;
}

/** The block redrawn in place while a release runs. */
export function liveBlock(report: ReleaseReport): string[] {
  const current = report.stages.filter((s) => s.state === 'running').map((s) => `${s.environment ? `${s.environment} ` : ''}${s.name}`);
  return [
    `release ${report.id} → ${report.target}: ${report.state}${current.length > 0 ? ` (${current.join(', ')})` : ''}`,
    ...report.stages.filter((s) => s.environment === null).map((s) => `  ${stageLine(s)}`),
    ...report.environments.map(envLine),
  ];
}

/** Lines for what changed between two records (plain output). */
export function changeLines(before: ReleaseReport | null, after: ReleaseReport): string[] {
  const lines: string[] = [];
  after.stages.forEach((stage, i) => {
    const old = before?.stages[i];
    if (!old) lines.push(`${stage.environment ? `${stage.environment} ` : ''}${stage.name}: started`);
    if (stage.state !== 'running' && old?.state !== stage.state) lines.push(stageLine(stage));
  });
  for (const env of after.environments) {
    const old = before?.environments.find((e) => e.name === env.name);
    for (const s of env.services) {
      const prev = old?.services.find((p) => p.service === s.service)?.outcome;
      if (prev !== s.outcome && s.outcome !== 'pending') lines.push(`${env.name}/${s.service}: ${s.outcome}${s.error ? ` — ${s.error.message}` : ''}`);
    }
    for (const r of env.rollbacks.slice(old?.rollbacks.length ?? 0)) lines.push(`rollback ${r.outcome}: ${r.message}`);
    if (env.state === 'awaiting-approval' && old?.state !== 'awaiting-approval') lines.push(`${env.name}: waiting for approval (convoy approve ${after.id} / convoy reject ${after.id}, or the console)`);
  }
  if (after.state !== before?.state && after.state !== 'running') lines.push(`release ${after.state}`);
  return lines;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

export function summary(report: ReleaseReport): string {
  const out: string[] = [];
  out.push(`Release ${report.id} → ${report.target}${report.only ? ' (only)' : ''}: ${report.state.toUpperCase()}`);
  if (report.commit) out.push(`commit ${report.commit}${report.author ? ` by ${report.author}` : ''}${report.base ? `, compared with ${report.base}` : ''}`);
  out.push('', 'Affected:');
  if (report.affected.length === 0) out.push('  nothing');
  for (const a of report.affected) out.push(`  ${a.explanation}`);
  if (report.images.length > 0) {
    out.push('', 'Images (built once, promoted unchanged):');
    const tests = (i: ReleaseReport['images'][number]) => (i.testCached ? `${i.test} (before, run ${i.testCached.runId})` : i.test);
    out.push(...table([['SERVICE', 'IMAGE', 'ID', 'BUILD', 'TESTS'], ...report.images.map((i) => [i.service, i.image ?? '-', i.imageId?.slice(7, 19) ?? '-', i.build, tests(i)])]).map((l) => `  ${l}`));
  }
  const pushes = report.pushes ?? [];
  if (pushes.length > 0) {
    out.push('', 'Registries (pushed once, deployed by digest):');
    out.push(...table([['SERVICE', 'REPOSITORY', 'DIGEST', 'PUSH', 'FOR'], ...pushes.map((p) => [p.service, p.repository, p.digest ?? '-', p.attempts > 1 ? `${p.outcome} (${p.attempts} attempts)` : p.outcome, p.environments.join(', ')])]).map((l) => `  ${l}`));
    for (const p of pushes) if (p.error) out.push(`  ${p.service}: ${p.error.message} [${p.error.code}]`);
  }
  for (const env of report.environments) {
    out.push('', `${env.name} (${env.kind}): ${env.state}`);
    if (env.waves.length > 0) out.push(`  waves: ${env.waves.map((w, i) => `${i + 1}) ${w.join(', ')}`).join('  ')}`);
    for (const s of env.skipped) out.push(`  skipped ${s.service}: ${s.reason}`);
    if (env.gates) {
      const enabled = env.gates.results.filter((r) => r.enabled);
      out.push(`  gates: ${env.gates.ok ? 'passed' : 'FAILED'} (${enabled.map((r) => r.gate).join(', ') || 'all switched off'})`);
      for (const v of env.gates.results.flatMap((r) => r.violations)) out.push(`    ${v.message}`);
    }
    if (env.approval.required) out.push(`  approval: ${env.approval.state}${env.approval.by ? ` by ${env.approval.by} at ${env.approval.at}` : ''}`);
    for (const s of env.services) out.push(`  ${s.service}: ${s.outcome} in ${secs(s.durationMs)}${s.error ? ` — ${s.error.message} [${s.error.code}]` : ''}`);
    for (const r of env.rollbacks) out.push(`  rollback ${r.service}: ${r.outcome} — ${r.message}`);
    if (env.live.length > 0) {
      out.push(...table([['SERVICE', 'STATE', 'IMAGE', 'ANSWERS AT'], ...env.live.map((s) => [s.service, s.state, s.image ?? '-', endpointOf(s.message) ?? '-'])]).map((l) => `  ${l}`));
    }
    if (env.cause) out.push(`  cause: ${env.cause.message} [${env.cause.code}]`);
  }
  out.push('', 'Time per stage:');
  out.push(...report.stages.map((s) => `  ${stageLine(s)}`));
  out.push('');
  const remembered = report.images.filter((i) => i.testCached).length;
  // Records written before the test-result cache have no testRuns: say nothing about tests then.
  const testLine =
    report.testRuns === undefined
      ? ''
      : report.testRuns === 0 && remembered > 0
        ? ' No test was run: each passed before on the same image, with the same command, environment and timeout.'
        : ` ${report.testRuns} test run(s)${remembered > 0 ? `, ${remembered} passed before` : ''}.`;
  if (report.buildCalls === 0 && report.applies === 0 && report.state === 'succeeded') {
    out.push(`Nothing was built and nothing was applied: every service already runs the images of this commit.${testLine}`);
  } else {
    out.push(`${report.buildCalls} image build(s), ${report.applies} service deploy(s).${testLine}`);
  }
  if (report.cause) out.push(`Cause: ${report.cause.message} [${report.cause.code}]`);
  return out.join('\n') + '\n';
}
