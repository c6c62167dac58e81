// The resource types this server knows, and the discovery documents built from them.

export interface ResourceInfo {
  /** Plural resource name, e.g. `deployments`. */
  name: string;
  singularName: string;
  group: string; // '' for the core group
  version: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Whether writes to the main resource ignore `status` (it has a /status subresource). */
  statusSubresource: boolean;
  /** Whether metadata.generation is maintained. */
  generation: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resource(partial: Partial<ResourceInfo> & Pick<ResourceInfo, 'name' | 'kind'>): ResourceInfo {
  return {
    singularName: partial.kind.toLowerCase(),
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    generation: false,
    ...partial,
  };
}

export const RESOURCES: ResourceInfo[] = [
  resource({ name: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], statusSubresource: true }),
  resource({ name: 'pods', kind: 'Pod', shortNames: ['po'], categories: ['all'], statusSubresource: true }),
  resource({ name: 'services', kind: 'Service', shortNames: ['svc'], categories: ['all'], statusSubresource: true }),
  resource({ name: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  resource({ name: 'secrets', kind: 'Secret' }),
  resource({ name: 'events', kind: 'Event', shortNames: ['ev'] }),
  resource({
    name: 'deployments',
    kind: 'Deployment',
    group: 'apps',
    shortNames: ['deploy'],
    categories: ['all'],
    statusSubresource: true,
    generation: true,
  }),
  resource({
    name: 'replicasets',
    kind: 'ReplicaSet',
    group: 'apps',
    shortNames: ['rs'],
    categories: ['all'],
    statusSubresource: true,
    generation: true,
  }),
];

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function findResource(group: string, version: string, name: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export function resourceByName(name: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.name === name);
}

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(address: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
  };
}

function groupDoc(group: string): Record<string, unknown> {
  const version = { groupVersion: `${group}/v1`, version: 'v1' };
  return { name: group, versions: [version], preferredVersion: version };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  if (!RESOURCES.some((r) => r.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const infos = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (infos.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const info of infos) {
    const entry: Record<string, unknown> = {
      name: info.name,
      singularName: info.singularName,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: info.name === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    };
    if (info.shortNames.length > 0) entry.shortNames = info.shortNames;
    if (info.categories.length > 0) entry.categories = info.categories;
    resources.push(entry);
    if (info.statusSubresource) {
      resources.push({ name: `${info.name}/status`, singularName: '', namespaced: info.namespaced, kind: info.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (info.name === 'deployments' || info.name === 'replicasets') {
      resources.push({ name: `${info.name}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
