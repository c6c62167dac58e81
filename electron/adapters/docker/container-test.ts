// Runs a project's test command in a fresh container from its image: no network, output attached
// before start (so nothing is missed), stdout and stderr demultiplexed into whole lines, each redacted
// before it is kept or handed on. A failing command or a timeout is a result, not an error: the caller
// decides. Only engine problems throw. The container is force-removed whatever happens.
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { ConvoyError } from '../../../shared/errors.js';
import type { BuildCallOptions, TestResult, TestSpec } from '../../core/ports/image-builder.js';
import { createLineSplitter } from '../../core/redact.js';
import { engineError, statusCodeOf } from './docker-errors.js';
import { crashPoint } from '../../core/crash-points.js';

/** Lines kept in TestResult.logs; older ones are dropped (and counted) beyond this. */
export const MAX_TEST_LOG_LINES = 10_000;
/** How long to wait for the attached output to drain once the container has stopped. */
const DRAIN_MS = 5_000;

export interface ContainerTestDeps {
  docker: Docker;
  endpoint: string;
  /** Extra labels for the test container (e.g. a test run id). */
  labels: Record<string, string>;
}

/** A writable that turns one output stream of the container into redacted lines. */
function lineSink(onLine: (line: string) => void): { sink: Writable; flush: () => void } {
  const decoder = new StringDecoder('utf8');
  const splitter = createLineSplitter();
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const line of splitter.push(text)) onLine(line);
      callback();
    },
  });
  const flush = () => {
    for (const line of splitter.push(decoder.end())) onLine(line);
    for (const line of splitter.end()) onLine(line);
  };
  return { sink, flush };
}

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

export async function runContainerTest(
  deps: ContainerTestDeps,
  spec: TestSpec,
  options: BuildCallOptions,
): Promise<TestResult> {
  const { docker, endpoint } = deps;
  const { signal, redact, onLog } = options;
  const cancelled = () => new ConvoyError('CANCELLED', `Test run of ${spec.project} cancelled`);
  if (signal?.aborted) throw cancelled();
  const started = performance.now();

  const logs: string[] = [];
  let dropped = 0;
  const emit = (raw: string) => {
    const line = redact(raw);
    logs.push(line);
    if (logs.length > MAX_TEST_LOG_LINES) {
      logs.shift();
      dropped++;
    }
    onLog?.(line);
  };

  const mapError = (err: unknown, what: string) =>
    engineError(err, { endpoint, what: `${what} for ${spec.project} (${spec.image})`, fallback: 'TEST_FAILED', redact });

  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      Image: spec.image,
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
      Labels: { ...deps.labels, 'dev.convoy.project': spec.project, 'dev.convoy.role': 'test' },
      Tty: false,
      OpenStdin: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none', AutoRemove: false },
    });
  } catch (err) {
    throw mapError(err, 'Could not create the test container');
  }

  let output: NodeJS.ReadWriteStream | null = null;
  let primaryError: unknown = null;
  try {
    output = await container.attach({ stream: true, stdout: true, stderr: true });
    const stdout = lineSink(emit);
    const stderr = lineSink(emit);
    const drained = new Promise<void>((resolve) => {
      output?.once('end', resolve);
      output?.once('close', resolve);
      output?.once('error', () => resolve());
    });
    docker.modem.demuxStream(output, stdout.sink, stderr.sink);

    await container.start();
    crashPoint('docker.test.started');
    const exited = container.wait() as Promise<{ StatusCode?: number }>;
    exited.catch(() => undefined); // observed below; never an unhandled rejection

    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const outcome = await Promise.race([
      exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), spec.timeoutMs);
      }),
      new Promise<'cancelled'>((resolve) => {
        if (!signal) return;
        onAbort = () => resolve('cancelled');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    });

    let exitCode: number | null = null;
    if (outcome === 'exited') {
      const status = await exited;
      exitCode = typeof status.StatusCode === 'number' ? status.StatusCode : null;
    } else {
      await container.kill().catch((err: unknown) => {
        // 404: already gone; 409: no longer running. Either way it has stopped.
        if (statusCodeOf(err) !== 404 && statusCodeOf(err) !== 409) throw err;
      });
      await settleWithin(exited, DRAIN_MS);
    }

    await settleWithin(drained, DRAIN_MS);
    stdout.flush();
    stderr.flush();
    if (outcome === 'cancelled') throw cancelled();
    if (dropped > 0) logs.unshift(`[${dropped} earlier line(s) dropped]`);

    return {
      project: spec.project,
      image: spec.image,
      exitCode,
      timedOut: outcome === 'timeout',
      durationMs: Math.round(performance.now() - started),
      logs,
    };
  } catch (err) {
    primaryError = err;
    if (err instanceof ConvoyError) throw err;
    throw mapError(err, 'Test container failed');
  } finally {
    (output as unknown as { destroy?: () => void } | null)?.destroy?.();
    try {
      await container.remove({ force: true, v: true });
    } catch (err) {
      const code = statusCodeOf(err);
      // 404: gone already; 409: removal already in progress.
      if (code !== 404 && code !== 409 && primaryError === null) {
        // eslint-disable-next-line no-unsafe-finally -- a container that cannot be removed is an engine error worth reporting
        throw mapError(err, 'Could not remove the test container');
      }
    }
  }
}
