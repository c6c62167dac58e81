// What the gates read, gathered for one environment before its first apply: the objects about to be
// applied, rendered exactly as the target will (Kubernetes manifests with Convoy's image substitution;
// Docker target units as they are), and the image ID each reference resolves to in the local engine
// right now, for the testedImages gate. No cluster call: manifests are read from disk.
import Docker from 'dockerode';
import type { EnvironmentConfig } from '../../../shared/config.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { DeployUnit } from '../../core/ports/deploy-target.js';
import { gateObjectFromDockerUnit, gateObjectFromKube } from '../../core/release/gate-objects.js';
import type { GateObject } from '../../core/release/gates.js';
import { dockerEndpoint, dockerOptions } from '../docker/docker-engine.js';
import { renderUnit } from '../kube/manifests.js';
import { loadAll } from '../kube/prepare.js';

export async function gateObjectsFor(environment: EnvironmentConfig, units: readonly DeployUnit[]): Promise<GateObject[]> {
  const target = environment.target;
  if (target.kind === 'docker') return units.map((unit) => gateObjectFromDockerUnit(environment.name, unit));
  const loaded = await loadAll([...units]);
  return loaded.flatMap(({ unit, sourced }) =>
    renderUnit(unit, sourced, { namespace: target.namespace }).objects.flatMap((o) => {
      const gateObject = gateObjectFromKube(unit.service, o.object as unknown as Record<string, unknown>);
      return gateObject ? [gateObject] : [];
    }),
  );
}

/** The local engine's image ID for each reference, or null when it has no such image. */
export async function resolveImageIds(references: readonly string[], docker: Docker = new Docker(dockerOptions(dockerEndpoint()))): Promise<Record<string, string | null>> {
  const ids: Record<string, string | null> = {};
  for (const ref of new Set(references)) {
    try {
      ids[ref] = (await docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if ((err as { statusCode?: unknown } | null)?.statusCode === 404) ids[ref] = null;
      else throw new ConvoyError('DOCKER_UNAVAILABLE', `Cannot inspect image ${ref} in the Docker Engine: ${err instanceof Error ? err.message : String(err)} — start Docker or set DOCKER_HOST`);
    }
  }
  return ids;
}
