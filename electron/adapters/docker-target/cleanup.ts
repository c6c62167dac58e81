// Removes what the Docker target created for some services of one environment (current, candidate
// and retired containers, found by Convoy's labels): `convoy rehearse --clean`. Images stay, as the
// build cache; the command prints how to remove them.
import Docker from 'dockerode';
import { dockerEndpoint, dockerOptions } from '../docker/docker-engine.js';
import { dockerUnavailable, isUnreachable } from '../docker/docker-errors.js';
import { LABELS, MANAGED_BY } from './spec.js';

export async function removeServiceContainers(environment: string, services: readonly string[], endpoint = dockerEndpoint()): Promise<string[]> {
  const docker = new Docker(dockerOptions(endpoint));
  try {
    const found = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.environment}=${environment}`] },
    });
    const wanted = new Set(services);
    const removed: string[] = [];
    for (const c of found) {
      if (!wanted.has(c.Labels[LABELS.service] ?? '')) continue;
      await docker.getContainer(c.Id).remove({ force: true });
      removed.push((c.Names[0] ?? c.Id).replace(/^\//, ''));
    }
    return removed;
  } catch (err) {
    if (isUnreachable(err)) throw dockerUnavailable(endpoint, err);
    throw err;
  }
}
