// meta.k8s.io/v1 Table rendering, for `kubectl get` without -o (server-side printing).
import type { ResourceInfo } from './resources.js';
import { dig, meta, type KubeObject } from './util.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (object: KubeObject) => unknown;
}

function age(object: KubeObject): string {
  const created = Date.parse(String(meta(object).creationTimestamp ?? ''));
  if (!Number.isFinite(created)) return '<unknown>';
  const seconds = Math.max(0, Math.floor((Date.now() - created) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

const n = (object: KubeObject, ...path: string[]) => Number(dig(object, ...path) ?? 0);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => meta(o).name };
const AGE: Column = { name: 'Age', type: 'string', cell: age };

function columns(info: ResourceInfo): Column[] {
  switch (info.kind) {
    case 'Deployment':
      return [
        NAME,
        { name: 'Ready', type: 'string', cell: (o) => `${n(o, 'status', 'readyReplicas')}/${n(o, 'spec', 'replicas')}` },
        { name: 'Up-to-date', type: 'integer', cell: (o) => n(o, 'status', 'updatedReplicas') },
        { name: 'Available', type: 'integer', cell: (o) => n(o, 'status', 'availableReplicas') },
        AGE,
      ];
    case 'ReplicaSet':
      return [
        NAME,
        { name: 'Desired', type: 'integer', cell: (o) => n(o, 'spec', 'replicas') },
        { name: 'Current', type: 'integer', cell: (o) => n(o, 'status', 'replicas') },
        { name: 'Ready', type: 'integer', cell: (o) => n(o, 'status', 'readyReplicas') },
        AGE,
      ];
    case 'Pod':
      return [
        NAME,
        {
          name: 'Ready',
          type: 'string',
          cell: (o) => {
            const statuses = (dig(o, 'status', 'containerStatuses') as Array<{ ready?: boolean }> | undefined) ?? [];
            const total = ((dig(o, 'spec', 'containers') as unknown[] | undefined) ?? []).length;
            return `${statuses.filter((s) => s.ready).length}/${total}`;
          },
        },
        {
          name: 'Status',
          type: 'string',
          cell: (o) => {
            const statuses = (dig(o, 'status', 'containerStatuses') as unknown[] | undefined) ?? [];
            for (const s of statuses) {
              const reason = dig(s, 'state', 'waiting', 'reason');
              if (typeof reason === 'string') return reason;
            }
            return dig(o, 'status', 'phase') ?? 'Pending';
          },
        },
        {
          name: 'Restarts',
          type: 'integer',
          cell: (o) => ((dig(o, 'status', 'containerStatuses') as Array<{ restartCount?: number }> | undefined) ?? []).reduce((t, s) => t + (s.restartCount ?? 0), 0),
        },
        AGE,
      ];
    case 'Service':
      return [
        NAME,
        { name: 'Type', type: 'string', cell: (o) => dig(o, 'spec', 'type') },
        { name: 'Cluster-IP', type: 'string', cell: (o) => dig(o, 'spec', 'clusterIP') ?? '<none>' },
        {
          name: 'Port(s)',
          type: 'string',
          cell: (o) =>
            ((dig(o, 'spec', 'ports') as Array<{ port?: number; protocol?: string }> | undefined) ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
        },
        AGE,
      ];
    case 'Namespace':
      return [NAME, { name: 'Status', type: 'string', cell: (o) => dig(o, 'status', 'phase') }, AGE];
    case 'ConfigMap':
      return [NAME, { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as object | undefined) ?? {}).length }, AGE];
    default:
      return [NAME, AGE];
  }
}

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',')[0]!.includes('as=Table');
}

export function toTable(info: ResourceInfo, objects: KubeObject[], resourceVersion: string): Record<string, unknown> {
  const cols = columns(info);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.name, priority: c.priority ?? 0 })),
    rows: objects.map((object) => ({
      cells: cols.map((c) => c.cell(object)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(object) },
    })),
  };
}
