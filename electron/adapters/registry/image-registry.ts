// The image registry port (electron/core/ports/image-registry.ts) over the local Docker Engine and the
// registry's HTTP API: pushes go through the engine (`docker push` with the Docker client's
// credentials passed as its auth config), digests come from the engine's records and the push's own
// answer, and "does the registry hold it" is a HEAD on the manifest.
import Docker from 'dockerode';
import { ConvoyError } from '../../../shared/errors.js';
import type { ImageRegistryPort, LayerProgress } from '../../core/ports/image-registry.js';
import { dockerEndpoint, dockerOptions } from '../docker/docker-engine.js';
import { dockerUnavailable, isUnreachable, messageOf, statusCodeOf } from '../docker/docker-errors.js';
import { type RegistryCredentials, credentialsFor } from './docker-credentials.js';
import { type RegistryClient, createRegistryClient, pushError } from './registry-http.js';
import { classifyPushFailure } from './push-errors.js';

export interface ImageRegistryOptions {
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  /** Every credential found joins the app's redaction gate before it is used. */
  remember: (secrets: string[]) => void;
  fetchImpl?: typeof fetch;
}

interface PushMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Digest?: string };
  error?: string;
  errorDetail?: { message?: string };
}

const hostOf = (repository: string) => repository.slice(0, repository.indexOf('/'));

export function createImageRegistry(options: ImageRegistryOptions): ImageRegistryPort {
  const endpoint = options.endpoint ?? dockerEndpoint(options.env);
  const env = options.env ?? process.env;
  let docker: Docker | null = null;
  const engine = () => (docker ??= new Docker(dockerOptions(endpoint)));
  const creds = new Map<string, Promise<RegistryCredentials | null>>();
  const credentials = (host: string) => {
    let found = creds.get(host);
    if (!found) {
      found = credentialsFor(host, options.remember, env).catch((err: unknown) => {
        throw pushError(`registry ${host}: ${messageOf(err)}`);
      });
      creds.set(host, found);
    }
    return found;
  };
  const clients = new Map<string, RegistryClient>();
  const client = (host: string) => {
    let c = clients.get(host);
    if (!c) clients.set(host, (c = createRegistryClient(host, () => credentials(host), options.fetchImpl)));
    return c;
  };
  const engineFailure = (err: unknown) => (isUnreachable(err) ? dockerUnavailable(endpoint, err) : err);

  return {
    check: (host) => client(host).ping(),
    async knownDigests(image) {
      try {
        const info = await engine().getImage(image).inspect();
        return (info.RepoDigests ?? []).map((r) => r.slice(r.indexOf('@') + 1)).filter((d) => d.startsWith('sha256:'));
      } catch (err) {
        if (statusCodeOf(err) === 404) throw new ConvoyError('IMAGE_PUSH_FAILED', `${image} is not in the local Docker Engine any more, so it cannot be pushed; run the release again to rebuild it`);
        throw engineFailure(err);
      }
    },
    hasManifest: (repository, digest) => client(hostOf(repository)).hasManifest(repository.slice(repository.indexOf('/') + 1), digest),
    async push(image, repository, tag, pushOptions = {}) {
      const host = hostOf(repository);
      const found = await credentials(host);
      const authconfig = found ? (found.identityToken ? { identitytoken: found.identityToken, serveraddress: host } : { username: found.username, password: found.password, serveraddress: host }) : { serveraddress: host };
      let stream: NodeJS.ReadableStream;
      try {
        const tagIt = async () => void (await engine().getImage(image).tag({ repo: repository, tag }));
        await (pushOptions.tagged ? pushOptions.tagged(`${repository}:${tag}`, tagIt) : tagIt());
        stream = (await engine().getImage(`${repository}:${tag}`).push({ authconfig, abortSignal: pushOptions.signal } as Docker.ImagePushOptions)) as NodeJS.ReadableStream;
      } catch (err) {
        if (isUnreachable(err)) throw dockerUnavailable(endpoint, err);
        throw classifyPushFailure(repository, messageOf(err), found);
      }
      let digest: string | null = null;
      let failure: string | null = null;
      await new Promise<void>((resolve, reject) => {
        engine().modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (message: PushMessage) => {
            if (message.error || message.errorDetail?.message) failure ??= message.errorDetail?.message ?? message.error ?? 'unknown error';
            if (message.aux?.Digest) digest = message.aux.Digest;
            if (message.id && message.status) {
              const progress: LayerProgress = { layer: message.id, status: message.status, current: message.progressDetail?.current ?? null, total: message.progressDetail?.total ?? null };
              pushOptions.onProgress?.(progress);
            }
          },
        );
      }).catch((err: unknown) => {
        failure ??= messageOf(err);
      });
      if (failure !== null) throw classifyPushFailure(repository, failure, found);
      if (!digest) throw pushError(`${repository}: the engine finished the push without naming the manifest digest`);
      pushOptions.onProgress?.({ layer: 'manifest', status: `Pushed ${digest}`, current: null, total: null });
      return { digest };
    },
  };
}

export { defaultPushRetry } from './push-retry.js';
