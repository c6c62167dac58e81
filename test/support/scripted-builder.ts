// An image builder that follows a script instead of a Docker Engine, for tests of what the console
// shows about a build: per project its content hash, build result, log lines and test outcome; a held
// build waits for `release(project)` or for the run's cancel, as a real build in progress does.
import type { BuildCallOptions, BuildSpec, ImageBuilderPort, TestSpec } from '../../electron/core/ports/image-builder.js';
import { ConvoyError } from '../../shared/errors.js';
import type { ScriptedBuild } from '../unit/renderer/real-app.js';

export type { ScriptedBuild };

export interface ScriptedBuilder extends ImageBuilderPort {
  release(project: string): void;
}

export function createScriptedBuilder(script: Record<string, ScriptedBuild>): ScriptedBuilder {
  const gates = new Map<string, () => void>();
  const released = new Set<string>();

  function entry(project: string): ScriptedBuild {
    const found = script[project];
    if (!found) throw new ConvoyError('BUILD_FAILED', `The test script has no build for ${project}: add it to the builder's script`);
    return found;
  }

  function held(project: string, signal: AbortSignal | undefined): Promise<void> {
    if (released.has(project)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cancelled = () => reject(new ConvoyError('CANCELLED', `Image build of ${project} cancelled`));
      if (signal?.aborted) return cancelled();
      signal?.addEventListener('abort', cancelled, { once: true });
      gates.set(project, resolve);
    });
  }

  return {
    async contentHash(spec: BuildSpec) {
      return entry(spec.project).hash;
    },
    async build(spec: BuildSpec, options: BuildCallOptions) {
      const step = entry(spec.project);
      for (const line of step.buildLogs ?? []) options.onLog?.(options.redact(line));
      if (step.hold) await held(spec.project, options.signal);
      return {
        project: spec.project,
        image: `${spec.repository}:${step.hash}`,
        contentHash: step.hash,
        imageId: `sha256:${step.hash.padEnd(64, '0')}`,
        cached: step.cached ?? false,
        durationMs: step.buildMs ?? 0,
      };
    },
    async runTest(spec: TestSpec, options: BuildCallOptions) {
      const step = entry(spec.project);
      const logs = (step.testLogs ?? []).map((line) => options.redact(line));
      for (const line of logs) options.onLog?.(line);
      return { project: spec.project, image: spec.image, exitCode: step.testExitCode ?? 0, timedOut: false, durationMs: step.testMs ?? 0, logs };
    },
    release(project) {
      released.add(project);
      gates.get(project)?.();
      gates.delete(project);
    },
  };
}
