// An in-memory ImageBuilderPort: content-addressed like the real one (the same spec gives the same tag
// and image ID, and a second build of it is `cached` with no build call), tests pass unless scripted to
// fail. `builds` counts real (uncached) builds; `calls` lists every build and test by project.
import { createHash } from 'node:crypto';
import type { BuildCallOptions, BuildResult, BuildSpec, ImageBuilderPort, TestResult, TestSpec } from '../../electron/core/ports/image-builder.js';

export class FakeImageBuilder implements ImageBuilderPort {
  readonly calls: Array<{ method: 'build' | 'runTest'; project: string }> = [];
  builds = 0;
  private readonly images = new Map<string, string>();
  private readonly failingTests = new Set<string>();

  /** The tests of `project` exit with 1 from now on. */
  failTests(project: string): this {
    this.failingTests.add(project);
    return this;
  }

  /** The image ID the engine would report for a reference (null when never built). */
  imageId(reference: string): string | null {
    return this.images.get(reference) ?? null;
  }

  async contentHash(spec: BuildSpec): Promise<string> {
    const args = Object.keys(spec.buildArgs).sort().map((k) => [k, spec.buildArgs[k]]);
    return createHash('sha256').update(JSON.stringify([spec.project, spec.contextDir, spec.dockerfile, spec.target ?? null, args])).digest('hex');
  }

  async build(spec: BuildSpec, options: BuildCallOptions): Promise<BuildResult> {
    this.calls.push({ method: 'build', project: spec.project });
    const hash = await this.contentHash(spec);
    const image = `${spec.repository}:${hash.slice(0, 16)}`;
    const cached = this.images.has(image);
    if (!cached) {
      this.builds++;
      options.onLog?.(options.redact(`built ${image}`));
      this.images.set(image, `sha256:${createHash('sha256').update(image).digest('hex')}`);
    }
    return { project: spec.project, image, contentHash: hash, imageId: this.images.get(image)!, cached, durationMs: 1 };
  }

  async runTest(spec: TestSpec, options: BuildCallOptions): Promise<TestResult> {
    this.calls.push({ method: 'runTest', project: spec.project });
    const exitCode = this.failingTests.has(spec.project) ? 1 : 0;
    const line = options.redact(`${spec.project}: ${exitCode === 0 ? 'ok' : 'FAILED'}`);
    options.onLog?.(line);
    return { project: spec.project, image: spec.image, exitCode, timedOut: false, durationMs: 1, logs: [line] };
  }
}
