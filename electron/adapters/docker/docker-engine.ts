// The local Docker Engine: where it is (DOCKER_HOST), dockerode's options for it, and whether it
// answers (a plain GET /version, engine-http.ts, so asking does not load dockerode).
import type Docker from 'dockerode';
import type { DockerStatus } from '../../../shared/domain.js';
import type { DockerEnginePort } from '../../core/ports/docker-engine.js';
import { engineGet } from './engine-http.js';

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST.length > 0 ? env.DOCKER_HOST : 'unix:///var/run/docker.sock';
}

/** dockerode options for an endpoint: a unix socket, or plain tcp (TLS endpoints are not supported yet). */
export function dockerOptions(endpoint: string): Docker.DockerOptions {
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
  }
  throw new Error(`Unsupported DOCKER_HOST ${endpoint}: use unix:///path/to/docker.sock or tcp://host:port`);
}

export function createDockerEngine(endpoint = dockerEndpoint(), timeoutMs = 3000): DockerEnginePort {
  return {
    async status(): Promise<DockerStatus> {
      try {
        const version = await engineGet<{ Version?: string }>(endpoint, '/version', timeoutMs);
        return { reachable: true, endpoint, version: version.Version ?? null, error: null };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return {
          reachable: false,
          endpoint,
          version: null,
          error: `Docker Engine not reachable at ${endpoint} (${reason}) — start Docker or set DOCKER_HOST`,
        };
      }
    },
  };
}
