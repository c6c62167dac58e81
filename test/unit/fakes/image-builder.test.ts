// The in-memory image builder (test/fakes/image-builder.ts) under the same contract as the Docker
// adapter (test/port-contracts/image-builder.ts), plus its held builds.
import { describe, expect, it } from 'vitest';
import type { BuildSpec } from '../../../electron/core/ports/image-builder.js';
import { FakeImageBuilder } from '../../fakes/image-builder.js';
import { imageBuilderContract } from '../../port-contracts/image-builder.js';

function spec(project: string, contextDir: string, extra: Partial<BuildSpec> = {}): BuildSpec {
  return { project, contextDir, dockerfile: 'Dockerfile', buildArgs: {}, repository: `contract/${project}`, labels: {}, ...extra };
}

describe('the fake image builder', () => {
  const fake = new FakeImageBuilder();
  let contexts = 0;
  imageBuilderContract({
    name: 'fake',
    builder: () => fake,
    context: async (files) => {
      const dir = `/fake/context-${++contexts}`;
      fake.setContent(dir, JSON.stringify(Object.entries(files).sort()));
      return dir;
    },
    spec,
    buildCalls: () => fake.builds.length,
    script: {
      failBuild: (project) => fake.failBuild(project),
      test: (project, exitCode, lines) => fake.scriptTest(project, { exitCode, logs: lines }),
    },
  });
});

describe('the fake image builder, held builds', () => {
  it('holds a build until released, and cancels it when the signal aborts meanwhile', async () => {
    const fake = new FakeImageBuilder();
    const held = fake.hold('api');
    let done = false;
    const build = fake.build(spec('api', '/a'), { redact: (l) => l }).then((r) => ((done = true), r));
    await held.started;
    expect(done).toBe(false);
    held.release();
    expect(await build).toMatchObject({ cached: false });

    const again = fake.hold('web');
    const controller = new AbortController();
    const cancelled = fake.build(spec('web', '/w'), { redact: (l) => l, signal: controller.signal }).catch((e: unknown) => e);
    await again.started;
    controller.abort();
    expect(await cancelled).toMatchObject({ code: 'CANCELLED' });
  });
});
