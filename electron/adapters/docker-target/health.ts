// Health of one container, polled until healthy, exited or a deadline:
//  * with a health path and a published port: HTTP GET on 127.0.0.1 (2xx/3xx healthy; redirects are
//    not followed);
//  * else with the image's HEALTHCHECK: State.Health.Status;
//  * else: running for `settleMs` without exiting.
// A container that exits fails at once. Cancellation (AbortSignal) stops polling and reports the last
// observation with ok false; callers turn that into CANCELLED.
import type { ServiceSpec } from './spec.js';
import { messageOf, stateText, type TargetEngine } from './engine.js';

const HTTP_PROBE_TIMEOUT_MS = 2_000;

export interface HealthOutcome {
  ok: boolean;
  /** What the last probe saw. */
  detail: string;
}

export interface HealthTiming {
  /** Between health probes. */
  pollMs: number;
  /** With neither a health path nor a HEALTHCHECK: healthy after running this long. */
  settleMs: number;
}

/** Polls container `id` for at most `deadlineMs` (0: look once). */
export type WaitHealthy = (id: string, spec: ServiceSpec, deadlineMs: number, signal?: AbortSignal) => Promise<HealthOutcome>;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function httpProbe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HealthOutcome> {
  const signals = [AbortSignal.timeout(Math.max(1, timeoutMs))];
  if (signal) signals.push(signal);
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.any(signals) });
    const body = (await res.text()).slice(0, 200).trim();
    const ok = res.status >= 200 && res.status < 400;
    return { ok, detail: `GET ${url} → HTTP ${res.status}${body ? `: ${body}` : ''}` };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return { ok: false, detail: `GET ${url} → ${messageOf(err)}${cause}` };
  }
}

/** The waitHealthy of one target: its engine and its timing. */
export function healthWaiter(engine: TargetEngine, { pollMs, settleMs }: HealthTiming): WaitHealthy {
  return async function waitHealthy(id, spec, deadlineMs, signal) {
    const deadline = Date.now() + deadlineMs;
    const settle = Math.min(settleMs, Math.max(0, deadlineMs - pollMs));
    let detail = 'not checked yet';
    for (;;) {
      if (signal?.aborted) return { ok: false, detail: `${detail} (cancelled)` };
      const info = await engine.call(`inspect ${id}`, () => engine.docker.getContainer(id).inspect());
      if (!info.State.Running || info.State.Restarting) {
        if (info.State.Status !== 'created') {
          return { ok: false, detail: `container ${stateText(info.State)}${info.State.Error ? `: ${info.State.Error}` : ''}` };
        }
        detail = 'container not started yet';
      } else if (spec.health !== null && spec.port !== null) {
        const binding = info.NetworkSettings?.Ports?.[`${spec.port}/tcp`]?.[0];
        if (!binding?.HostPort) {
          detail = `port ${spec.port}/tcp is not published yet`;
        } else {
          // A probe may overrun the deadline by up to 500 ms, so a zero deadline still gets one real probe.
          const remaining = Math.max(500, deadline - Date.now());
          const probe = await httpProbe(
            `http://127.0.0.1:${binding.HostPort}${spec.health}`,
            Math.min(HTTP_PROBE_TIMEOUT_MS, remaining),
            signal,
          );
          if (probe.ok) return probe;
          detail = probe.detail;
        }
      } else if (info.State.Health) {
        const health = info.State.Health;
        const last = health.Log?.[health.Log.length - 1];
        const output = last ? `; last check exit ${last.ExitCode}: ${last.Output.trim().slice(0, 300)}` : '';
        detail = `HEALTHCHECK ${health.Status}${output}`;
        if (health.Status === 'healthy') return { ok: true, detail };
        if (health.Status === 'unhealthy') return { ok: false, detail };
      } else {
        const started = Date.parse(info.State.StartedAt);
        const ran = Number.isFinite(started) ? Date.now() - started : 0;
        detail = `running for ${Math.max(0, ran)} ms without exiting (no health path, no HEALTHCHECK)`;
        if (ran >= settle) return { ok: true, detail };
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { ok: false, detail: deadlineMs === 0 ? detail : `${detail} — not healthy within ${deadlineMs} ms` };
      await sleep(Math.min(pollMs, remaining), signal);
    }
  };
}
