// Image repository names, checked against Docker's reference grammar before any build call, so a bad
// `convoy.image` fails with IMAGE_NAME_INVALID and a reason instead of a daemon error halfway in.
//
// Grammar (distribution/reference): name := [domain '/'] path-component ('/' path-component)*
//   path-component := [a-z0-9]+ ((separator) [a-z0-9]+)*, separator := '.' | '_' | '__' | '-'+
//   domain         := host [':' port], host := DNS labels joined by '.' (or an [IPv6] literal)
// The first component counts as a registry host only when it contains '.' or ':' or is `localhost`
// (Docker's classic rule). Docker itself would also take an upper-case first component as a host
// (`Shop/x` → registry "Shop"); that is nearly always a typo, so it is refused here.
// The repository never carries a tag or digest: Convoy adds the content-hash tag itself.
import { ConvoyError } from '../../../shared/errors.js';

const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DNS_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DNS_LABEL}(?:\\.${DNS_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Why `repository` is not a valid image repository (without tag), or null when it is. */
export function repositoryProblem(repository: string): string | null {
  if (repository.length === 0) return 'it is empty';
  if (repository.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (/\s/.test(repository)) return 'it contains whitespace';
  if (repository.includes('@')) return 'it contains a digest (@…); give the repository only';
  const components = repository.split('/');
  const first = components[0] ?? '';
  const hasHost = components.length > 1 && looksLikeHost(first);
  if (hasHost && !HOST.test(first)) return `"${first}" is not a valid registry host[:port]`;
  const pathComponents = hasHost ? components.slice(1) : components;
  for (const component of pathComponents) {
    if (component.length === 0) return 'it has an empty path component (leading, trailing or double "/")';
    if (component.includes(':')) return 'it contains a tag (:…); give the repository only, Convoy tags by content hash';
    if (component !== component.toLowerCase()) return `"${component}" must be lowercase`;
    if (!PATH_COMPONENT.test(component)) {
      return `"${component}" may only contain a-z, 0-9 and single separators (".", "_", "__", "-") between them`;
    }
  }
  return null;
}

/** Throws IMAGE_NAME_INVALID naming the project and the reason. */
export function assertRepository(repository: string, project: string): void {
  const problem = repositoryProblem(repository);
  if (problem !== null) {
    throw new ConvoyError(
      'IMAGE_NAME_INVALID',
      `Image repository ${JSON.stringify(repository)} of ${project} is not a valid Docker repository: ${problem}`,
    );
  }
}
