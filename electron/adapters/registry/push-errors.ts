// What a failed `docker push` means, from the engine's message: whom to ask and whether trying again
// may help. Every message names the registry, the repository and the cause.
import type { RegistryCredentials } from './docker-credentials.js';
import { type TransientError, pushError } from './registry-http.js';

export function classifyPushFailure(repository: string, message: string, credentials: RegistryCredentials | null): TransientError {
  const host = repository.slice(0, repository.indexOf('/'));
  const cause = message.trim().split('\n')[0]!;
  const where = `push of ${repository} to registry ${host} failed`;
  if (/\b401\b|unauthorized|authentication required|no basic auth credentials/i.test(cause)) {
    return pushError(credentials ? `${where}: the registry refused the credentials from ${credentials.source} (401: ${cause}); run docker login ${host} again` : `${where}: the registry requires credentials and Docker has none for it (401: ${cause}); run docker login ${host}`);
  }
  if (/\b403\b|denied|forbidden/i.test(cause)) {
    return pushError(`${where}: the registry refused this repository for these credentials (403: ${cause}); ask its owner for push access to ${repository.slice(host.length + 1)} or change the registry prefix in convoy.yaml`);
  }
  if (/\b413\b|too large|entity too large|quota/i.test(cause)) {
    return pushError(`${where}: the registry refused the size (413 or quota: ${cause}); make the image smaller or raise the registry's limit`);
  }
  if (/name unknown|repository name not known|repository does not exist|\b404\b/i.test(cause)) {
    return pushError(`${where}: the repository does not exist and the registry does not create it on push (${cause}); create ${repository.slice(host.length + 1)} in the registry first`);
  }
  if (/connection refused|no such host|dial tcp|i\/o timeout|no route to host|server misbehaving/i.test(cause)) {
    return pushError(`${where}: the registry is unreachable (${cause}); check that it runs and that the engine can reach it`, true);
  }
  if (/\b5[0-9][0-9]\b|\b429\b|EOF|connection reset|timeout|temporarily/i.test(cause)) {
    return pushError(`${where}: ${cause} (transient)`, true);
  }
  return pushError(`${where}: ${cause}`);
}
