// ImageBuilderPort over dockerode: content-addressed builds (`<repository>:<hash>`, never `latest`),
// skipped when the image for that hash already exists, cancellable, with progress redacted line by
// line; and test runs in fresh network-less containers (container-test.ts).
//
// Concurrency is the caller's (the core build stage); this adapter runs what it is asked to.
import { performance } from 'node:perf_hooks';
import type Docker from 'dockerode';
import { ConvoyError } from '../../../shared/errors.js';
import type {
  BuildCallOptions,
  BuildResult,
  BuildSpec,
  ImageBuilderPort,
  TestResult,
  TestSpec,
} from '../../core/ports/image-builder.js';
import { collectBuildContext, packBuildContext } from './build-context.js';
import { BuildProgress } from './build-stream.js';
import { runContainerTest } from './container-test.js';
import { computeContentHash, imageTag } from './content-hash.js';
import { dockerEndpoint, dockerOptions } from './docker-engine.js';
import { engineGet } from './engine-http.js';
import { engineError, messageOf, statusCodeOf } from './docker-errors.js';
import { assertRepository } from './image-name.js';
import { crashPoint } from '../../core/crash-points.js';
import { ownedBy } from '../system/process-identity.js';

export const LABEL_PROJECT = 'dev.convoy.project';
export const LABEL_CONTENT_HASH = 'dev.convoy.content-hash';

export interface ImageBuilderOptions {
  /** Engine endpoint (`unix:///…` or `tcp://host:port`); defaults to DOCKER_HOST or the local socket. */
  endpoint?: string;
  /** A ready dockerode instance (tests wrap one to count calls); `endpoint` then only names it in errors. */
  docker?: Docker;
  /** Extra labels put on test containers (e.g. a test run id for cleanup). */
  containerLabels?: Record<string, string>;
}

const LOG_TAIL_IN_ERROR = 10;

export function createImageBuilder(options: ImageBuilderOptions = {}): ImageBuilderPort {
  const endpoint = options.endpoint ?? dockerEndpoint();
  let client: Docker | undefined = options.docker;

  /** dockerode, loaded for a build or a test run only: an unchanged image needs neither. */
  async function docker(): Promise<Docker> {
    if (!client) {
      const { default: Dockerode } = await import('dockerode');
      try {
        client = new Dockerode(dockerOptions(endpoint));
      } catch (err) {
        throw new ConvoyError(
          'DOCKER_UNAVAILABLE',
          `Cannot use Docker endpoint ${endpoint}: ${messageOf(err)} — set DOCKER_HOST to unix:///path/to/docker.sock or tcp://host:port`,
        );
      }
    }
    return client;
  }

  async function contentHashOf(spec: BuildSpec) {
    const context = await collectBuildContext(spec.contextDir, spec.dockerfile, spec.project);
    const contentHash = computeContentHash(context, { buildArgs: spec.buildArgs, target: spec.target });
    return { context, contentHash };
  }

  /** The image's inspect data, or null when there is no such image. */
  async function inspectImage(image: string, what: string, redact: (line: string) => string) {
    try {
      return await engineGet<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>(endpoint, `/images/${encodeURIComponent(image)}/json`);
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw engineError(err, { endpoint, what, fallback: 'BUILD_FAILED', redact });
    }
  }

  return {
    async contentHash(spec) {
      return (await contentHashOf(spec)).contentHash;
    },

    async build(spec: BuildSpec, call: BuildCallOptions): Promise<BuildResult> {
      const { signal, redact, onLog } = call;
      const owned = call.runId === undefined ? {} : ownedBy(call.runId);
      const started = performance.now();
      const cancelled = () => new ConvoyError('CANCELLED', `Image build of ${spec.project} cancelled`);
      if (signal?.aborted) throw cancelled();
      assertRepository(spec.repository, spec.project);

      const { context, contentHash } = await contentHashOf(spec);
      for (const note of context.notes) onLog?.(redact(note));
      const image = `${spec.repository}:${imageTag(contentHash)}`;
      if (signal?.aborted) throw cancelled();

      const existing = await inspectImage(image, `Could not look up image ${image} of ${spec.project}`, redact);
      if (existing && existing.Config?.Labels?.[LABEL_CONTENT_HASH] === contentHash) {
        onLog?.(redact(`${image} is up to date (content hash ${contentHash}); not rebuilt`));
        return {
          project: spec.project,
          image,
          contentHash,
          imageId: existing.Id,
          cached: true,
          durationMs: Math.round(performance.now() - started),
        };
      }

      const buildOptions: Docker.ImageBuildOptions = {
        t: image,
        dockerfile: context.dockerfile,
        buildargs: spec.buildArgs,
        labels: { ...spec.labels, ...owned, [LABEL_PROJECT]: spec.project, [LABEL_CONTENT_HASH]: contentHash },
        rm: true,
        forcerm: true,
        ...(spec.target === undefined ? {} : { target: spec.target }),
        ...(signal ? { abortSignal: signal } : {}),
      };
      const failed = (err: unknown) =>
        signal?.aborted
          ? cancelled()
          : engineError(err, { endpoint, what: `Image build of ${spec.project} failed`, fallback: 'BUILD_FAILED', redact });

      const tar = packBuildContext(context);
      const progress = new BuildProgress(redact, onLog, (layer) => {
        call.onLayer?.(layer);
        crashPoint('docker.build.layer');
      });
      let onAbort: (() => void) | undefined;
      try {
        let stream: NodeJS.ReadableStream;
        try {
          stream = await (await docker()).buildImage(tar, buildOptions);
        } catch (err) {
          throw failed(err);
        }
        // Closing the response makes the engine stop the build; a tag is only applied on success.
        onAbort = () => (stream as unknown as { destroy: (err?: Error) => void }).destroy(new Error('build cancelled'));
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const chunk of stream) progress.write(chunk as Buffer);
          progress.end();
        } catch (err) {
          throw failed(err);
        }
      } finally {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        tar.destroy();
      }

      const failure = progress.failure();
      if (failure) {
        const where = failure.step ? `at ${JSON.stringify(failure.step)}` : 'before its first step';
        const tail = failure.tail.slice(-LOG_TAIL_IN_ERROR).map((line) => `  ${line}`).join('\n');
        throw new ConvoyError(
          'BUILD_FAILED',
          `Image build of ${spec.project} failed ${where}: ${failure.message}${tail ? `\nLast log lines:\n${tail}` : ''}`,
        );
      }

      const built = await inspectImage(image, `Could not inspect the image just built for ${spec.project}`, redact);
      if (!built) {
        if (signal?.aborted) throw cancelled();
        const tail = progress.lastLines().map((line) => `  ${line}`).join('\n');
        throw new ConvoyError(
          'BUILD_FAILED',
          `Image build of ${spec.project} ended without tagging ${image}${tail ? `\nLast log lines:\n${tail}` : ''}`,
        );
      }
      return {
        project: spec.project,
        image,
        contentHash,
        imageId: built.Id,
        cached: false,
        durationMs: Math.round(performance.now() - started),
      };
    },

    async runTest(spec: TestSpec, call: BuildCallOptions): Promise<TestResult> {
      const owned = call.runId === undefined ? {} : ownedBy(call.runId);
      return runContainerTest({ docker: await docker(), endpoint, labels: { ...options.containerLabels, ...owned } }, spec, call);
    },
  };
}
