// A registry reference as convoy.yaml writes it, `host[:port]/prefix`: where an environment's images
// are pushed and what its cluster pulls. Parsed by one function so config validation, the push stage and
// the manifests all agree on what `registry/prefix/name@sha256:…` means. Pure.

export interface RegistryRef {
  /** `host[:port]`, as Docker names the registry (and keys its credentials). */
  host: string;
  /** Path components before the image's own repository (may be empty). */
  prefix: string;
}

// The distribution registry's grammar for one path component and for a host name.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** Why `text` is not a registry reference, or null when it is one. */
export function registryRefProblem(text: string): string | null {
  if (text.length === 0) return 'is empty; write host[:port]/prefix, e.g. registry.example.com/shop';
  if (text.length > 255) return 'is longer than 255 characters';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return `has a scheme; write it without one, e.g. ${text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`;
  if (text.includes('@') || /:[^/]*$/.test(text.split('/').slice(1).join('/'))) return 'names a tag or digest; write only host[:port]/prefix (Convoy adds the image name and the digest)';
  const [hostPort, ...path] = text.split('/');
  const [host, port, ...more] = hostPort!.split(':');
  if (more.length > 0 || host === undefined || host.length === 0) return `has no valid host in "${hostPort}"; write host[:port]/prefix`;
  if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) return `has port "${port}", not a number from 1 to 65535`;
  if (!host.split('.').every((label) => HOST_LABEL.test(label))) return `has host "${host}", which is not a host name or IPv4 address`;
  // Docker reads a first component without a dot or a port (other than localhost) as a Docker Hub path.
  if (!host.includes('.') && port === undefined && host !== 'localhost') return `starts with "${host}", which Docker would read as a Docker Hub path, not a registry host; give the host with its domain or port (e.g. ${host}.example.com or ${host}:5000)`;
  for (const component of path) {
    if (!PATH_COMPONENT.test(component)) return `has prefix component "${component}"; use lowercase letters, digits and . _ - between them`;
  }
  return null;
}

/** Parses a reference already validated by `registryRefProblem` (throws on a bad one). */
export function parseRegistryRef(text: string): RegistryRef {
  const problem = registryRefProblem(text);
  if (problem) throw new Error(`registry "${text}" ${problem}`);
  const [host, ...path] = text.split('/');
  return { host: host!, prefix: path.join('/') };
}

/** The repository an image is pushed to and pulled from: `host[:port]/prefix/name`. */
export function registryRepository(ref: RegistryRef, repository: string): string {
  return [ref.host, ref.prefix, repository].filter((part) => part.length > 0).join('/');
}

/** `repository@digest`, the reference a cluster pulls. */
export function digestReference(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** Splits `host[:port]/path@sha256:…` into its registry host, repository path and digest; null if not one. */
export function splitDigestReference(reference: string): { host: string; path: string; digest: string } | null {
  const at = reference.indexOf('@');
  if (at < 0) return null;
  const name = reference.slice(0, at);
  const digest = reference.slice(at + 1);
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) return null;
  const slash = name.indexOf('/');
  if (slash < 0) return null;
  return { host: name.slice(0, slash), path: name.slice(slash + 1), digest };
}
