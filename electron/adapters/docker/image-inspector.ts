// The image ID behind a reference, as the local Docker Engine sees it now: what the release gates
// compare with the ID recorded at build time, so a tag moved since the build is caught.
import Docker from 'dockerode';
import type { ImageInspector } from '../../core/release/run-ports.js';
import { dockerEndpoint, dockerOptions } from './docker-engine.js';
import { dockerUnavailable, isUnreachable, statusCodeOf } from './docker-errors.js';

export function createImageInspector(endpoint = dockerEndpoint()): ImageInspector {
  let client: Docker | null = null;
  return {
    async imageId(reference) {
      client ??= new Docker(dockerOptions(endpoint));
      try {
        const info = await client.getImage(reference).inspect();
        return info.Id;
      } catch (err) {
        if (statusCodeOf(err) === 404) return null;
        if (isUnreachable(err)) throw dockerUnavailable(endpoint, err);
        throw err;
      }
    },
  };
}
