// The Docker adapters (engine, builder, inspector, registry) behind their ports, with dockerode loaded
// on the first call (dynamic import):
// `convoy affected`, `plan` or `history` never pay for a client they do not use, and the bundled CLI
// (build/build-cli.mjs) keeps them in chunks of their own. Each port method awaits the real adapter,
// made once, then calls it; nothing else changes.
import type { DockerEnginePort } from '../../core/ports/docker-engine.js';
import type { ImageBuilderPort } from '../../core/ports/image-builder.js';
import type { ImageInspector } from '../../core/release/run-ports.js';
import type { ImageRegistryPort } from '../../core/ports/image-registry.js';
import type { ImageRegistryOptions } from '../registry/image-registry.js';

/** Makes `make()` once, on first use. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => {
    made ??= make().catch((err: unknown) => {
      made = null; // a failed load (a missing package) is tried again by the next call
      throw err;
    });
    return made;
  };
}

export function lazyDockerEngine(): DockerEnginePort {
  const engine = once(async () => (await import('../docker/docker-engine.js')).createDockerEngine());
  return { status: async () => (await engine()).status() };
}

export function lazyImageBuilder(): ImageBuilderPort {
  const builder = once(async () => (await import('../docker/image-builder.js')).createImageBuilder());
  return {
    contentHash: async (spec) => (await builder()).contentHash(spec),
    build: async (spec, options) => (await builder()).build(spec, options),
    runTest: async (spec, options) => (await builder()).runTest(spec, options),
  };
}

export function lazyImageInspector(): ImageInspector {
  const inspector = once(async () => (await import('../docker/image-inspector.js')).createImageInspector());
  return { imageId: async (reference) => (await inspector()).imageId(reference) };
}

/** The registry adapter (pushes through the engine) for a release whose environments name a registry. */
export function lazyImageRegistry(options: ImageRegistryOptions): ImageRegistryPort {
  const registry = once(async () => (await import('../registry/image-registry.js')).createImageRegistry(options));
  return {
    check: async (host) => (await registry()).check(host),
    knownDigests: async (image) => (await registry()).knownDigests(image),
    hasManifest: async (repository, digest) => (await registry()).hasManifest(repository, digest),
    push: async (image, repository, tag, pushOptions) => (await registry()).push(image, repository, tag, pushOptions),
  };
}

/** For `convoy rehearse --clean`: the containers the Docker target made for some services of an environment. */
export async function removeServiceContainers(environment: string, services: readonly string[]): Promise<string[]> {
  return (await import('../docker-target/cleanup.js')).removeServiceContainers(environment, services);
}

/** The release gates' inputs (rendered manifests, local image IDs), read with the libraries loaded on first use. */
export const gateObjectsFor: typeof import('../gate-inputs/gate-inputs.js').gateObjectsFor = async (environment, units) =>
  (await import('../gate-inputs/gate-inputs.js')).gateObjectsFor(environment, units);
