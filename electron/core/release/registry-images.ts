// Where a built image lives in an environment's registry, for the steps that do not push: the plan
// (is this service already on its image there?) and the diff (which reference would be applied?). The
// digests come from the engine's records of earlier pushes, so nothing is pushed or pulled here.
import { digestReference, parseRegistryRef, registryRepository } from '../../../shared/registry-ref.js';
import type { ImageRegistryPort } from '../ports/image-registry.js';

/** `shop/orders-api:3f9c` → `{ name: 'shop/orders-api', tag: '3f9c' }`. */
export function repositoryOf(image: string): { name: string; tag: string } {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image, tag: 'latest' };
}

/** `host/prefix/<repository>` for a local image in a registry written as in convoy.yaml. */
export function registryRepositoryOf(registry: string, localImage: string): string {
  return registryRepository(parseRegistryRef(registry), repositoryOf(localImage).name);
}

/**
 * The `repository@digest` references the local image has been pushed as (to any registry: a push
 * to this one would store the same digest); empty when it was never pushed or is not built yet.
 */
export async function knownRegistryReferences(port: Pick<ImageRegistryPort, 'knownDigests'>, registry: string, localImage: string): Promise<string[]> {
  const repository = registryRepositoryOf(registry, localImage);
  const digests = await port.knownDigests(localImage).catch(() => [] as string[]);
  return digests.map((digest) => digestReference(repository, digest));
}
