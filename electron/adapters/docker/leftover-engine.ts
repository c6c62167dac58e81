// The Docker Engine for the sweep of dead runs' leftovers (electron/core/leftovers.ts): lists the
// containers and images that carry a run label, and removes them with care — a container by force
// (it belongs to a dead process), an image only when it is untagged, unused and has no child, and
// without pruning its parents (they may be another build's cache).
import type Docker from 'dockerode';
import type { LeftoverEngine, OwnedResource } from '../../core/leftovers.js';
import { OWNER_LABELS, ownerFromLabels } from '../../core/run-owner.js';
import { LABELS, MANAGED_BY } from '../docker-target/spec.js';
import { dockerEndpoint, dockerOptions } from './docker-engine.js';
import { engineGet } from './engine-http.js';
import { dockerUnavailable, isUnreachable, statusCodeOf } from './docker-errors.js';

const CANDIDATE = /-next-\d+$/;
const UNTAGGED = '<none>:<none>';

function roleOf(labels: Record<string, string>, name: string): OwnedResource['role'] {
  if (labels['dev.convoy.role'] === 'test') return 'test';
  if (labels[LABELS.managedBy] === MANAGED_BY && CANDIDATE.test(name)) return 'candidate';
  return 'service';
}

export function createLeftoverEngine(endpoint = dockerEndpoint()): LeftoverEngine {
  // Listing is two plain GETs, so a start with nothing to sweep (every build and release) does not load
  // dockerode; the client comes only when something is removed.
  let client: Promise<Docker> | null = null;
  const docker = (): Promise<Docker> => {
    client ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode({ ...dockerOptions(endpoint), timeout: 10_000 }));
    return client;
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isUnreachable(err)) throw dockerUnavailable(endpoint, err);
      throw err;
    }
  };
  /** Runs a removal; false when the engine says it is gone (404) or still needed (409). */
  const removal = async (work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await call(work);
      return true;
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 404 || code === 409) return false;
      throw err;
    }
  };

  return {
    // Top-level images only: a finished build's parent layers carry its labels too, but they are that
    // image's own history, not leftovers; a dangling image is top-level.
    async listOwned() {
      const filters = JSON.stringify({ label: [OWNER_LABELS.run] });
      const query = `filters=${encodeURIComponent(filters)}`;
      const [containers, images] = await call(() =>
        Promise.all([
          engineGet<Docker.ContainerInfo[]>(endpoint, `/containers/json?all=1&${query}`, 10_000),
          engineGet<Docker.ImageInfo[]>(endpoint, `/images/json?${query}`, 10_000),
        ]),
      );
      const out: OwnedResource[] = [];
      for (const c of containers) {
        const owned = ownerFromLabels(c.Labels);
        if (!owned) continue;
        const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
        out.push({ kind: 'container', id: c.Id, name, ...owned, role: roleOf(c.Labels, name), tagged: false });
      }
      for (const image of images) {
        const owned = ownerFromLabels(image.Labels);
        if (!owned) continue;
        const tags = (image.RepoTags ?? []).filter((t) => t !== UNTAGGED);
        out.push({ kind: 'image', id: image.Id, name: tags[0] ?? image.Id, ...owned, role: 'image', tagged: tags.length > 0 });
      }
      return out;
    },

    removeContainer: (id) => removal(async () => (await docker()).getContainer(id).remove({ force: true, v: true })),

    async imageIdOf(reference) {
      try {
        return (await call(() => engineGet<{ Id: string }>(endpoint, `/images/${encodeURIComponent(reference)}/json`, 10_000))).Id;
      } catch (err) {
        if (statusCodeOf(err) === 404) return null;
        throw err;
      }
    },

    async removeDanglingImage(id) {
      let info: Docker.ImageInspectInfo;
      try {
        info = await call(async () => (await docker()).getImage(id).inspect());
      } catch (err) {
        if (statusCodeOf(err) === 404) return false;
        throw err;
      }
      if ((info.RepoTags ?? []).some((t) => t !== UNTAGGED)) return false;
      // Without force: the engine refuses (409) an image a container uses or another image builds on.
      return removal(async () => (await docker()).getImage(info.Id).remove({ noprune: true }));
    },
  };
}
