// Vitest global setup: failed and cancelled builds leave untagged layers behind (Docker keeps them as
// build cache). They are removed once, after every test file has finished. A test file must not do it
// itself: while another file's build runs, its newest step is an untagged image too, and removing it
// fails that build with "unknown parent image ID".
import Docker from 'dockerode';
import { dockerEndpoint, dockerOptions } from '../../electron/adapters/docker/docker-engine.js';

async function danglingIds(docker: Docker): Promise<Set<string>> {
  const images = await docker.listImages({ filters: JSON.stringify({ dangling: ['true'] }) });
  return new Set(images.map((image) => image.Id));
}

export default async function setup(): Promise<() => Promise<void>> {
  const docker = new Docker({ ...dockerOptions(dockerEndpoint()), timeout: 5_000 });
  const before = await danglingIds(docker).catch(() => null);
  return async () => {
    if (before === null) return; // no engine at the start: nothing of ours to remove
    const after = await danglingIds(docker).catch(() => new Set<string>());
    for (const id of after) {
      // Never forced: a layer something still builds on answers 409 and stays.
      if (!before.has(id)) await docker.getImage(id).remove().catch(() => {});
    }
  };
}
