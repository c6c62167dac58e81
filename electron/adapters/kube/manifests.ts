// A unit's Kubernetes manifests: read from its `deploy/` folder, parsed, validated and rendered for
// one environment (image substituted, namespace set, Convoy's labels and annotations added). Pure
// except for reading the folder (loadManifestFiles); everything else takes text and returns objects.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConvoyError } from '../../../shared/errors.js';
import type { DeployUnit } from '../../core/ports/deploy-target.js';

export interface KubeMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  [key: string]: unknown;
}

/** One manifest document (or `kind: List` item) and where it came from. */
export interface SourcedObject {
  object: KubeObject;
  /** `deployment.yaml document 2` — for messages. */
  source: string;
}

export interface ImageSubstitution {
  object: string;
  container: string;
  from: string;
  to: string;
}

export interface RenderedObject {
  service: string;
  object: KubeObject;
  /** `Deployment shop/orders-api` */
  ref: string;
  source: string;
}

export interface RenderedUnit {
  service: string;
  objects: RenderedObject[];
  substitutions: ImageSubstitution[];
  /** Human-readable notes, e.g. that no container matched the unit's image. */
  notes: string[];
}

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PROJECT = 'convoy.dev/project';
export const ANNOTATION_RELEASE = 'convoy.dev/release';
export const ANNOTATION_COMMIT = 'convoy.dev/commit';
/** The tag a registry digest was pushed from (`shop/orders-api:3f9c…`), for people reading the object. */
export const ANNOTATION_IMAGE_TAG = 'convoy.dev/image-tag';

const MANIFEST_EXT = /\.ya?ml$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every *.yaml / *.yml file of a folder, sorted by name, as [file, text]. */
export async function loadManifestFiles(dir: string): Promise<Array<{ file: string; text: string }>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && MANIFEST_EXT.test(e.name)).map((e) => e.name);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConvoyError('MANIFEST_INVALID', `Cannot read the manifests folder ${dir}: ${reason}`);
  }
  names.sort();
  return Promise.all(names.map(async (name) => ({ file: path.join(dir, name), text: await readFile(path.join(dir, name), 'utf8') })));
}

/** Parses one file's documents; empty documents are skipped and `kind: List` is expanded. */
export function parseManifests(file: string, text: string): SourcedObject[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: SourcedObject[] = [];
  list.forEach((doc, index) => {
    const docLabel = `${file} document ${index + 1}`;
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown line';
      const reason = first.message.split('\n')[0] ?? first.message;
      throw new ConvoyError('MANIFEST_INVALID', `Invalid YAML in ${file} at ${where}: ${reason}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const source = `${docLabel} item ${i + 1}`;
        out.push({ object: validateObject(item, source), source });
      });
      return;
    }
    out.push({ object: validateObject(value, docLabel), source: docLabel });
  });
  return out;
}

/** Checks the fields every Kubernetes object needs; names the document when one is missing. */
export function validateObject(value: unknown, source: string): KubeObject {
  if (!isRecord(value)) throw new ConvoyError('MANIFEST_INVALID', `${source} is not a Kubernetes object (a YAML mapping)`);
  const missing: string[] = [];
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') missing.push('apiVersion');
  if (typeof value.kind !== 'string' || value.kind === '') missing.push('kind');
  const meta = value.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') missing.push('metadata.name');
  if (missing.length > 0) throw new ConvoyError('MANIFEST_INVALID', `${source} has no ${missing.join(', ')}`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = (meta as Record<string, unknown>)[field];
    if (map !== undefined && map !== null && !isRecord(map)) {
      throw new ConvoyError('MANIFEST_INVALID', `${source}: metadata.${field} must be a mapping`);
    }
  }
  return value as KubeObject;
}

/** The repository part of an image reference: everything before the tag or digest. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  const slash = noDigest.lastIndexOf('/');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function objectRef(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata.name}`;
}

/** The pod spec inside a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
export function podSpecOf(object: KubeObject): Record<string, unknown> | null {
  const spec = object.spec;
  if (!isRecord(spec)) return null;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') {
    const jobTemplate = spec.jobTemplate;
    const jobSpec = isRecord(jobTemplate) ? jobTemplate.spec : undefined;
    const template = isRecord(jobSpec) ? jobSpec.template : undefined;
    return isRecord(template) && isRecord(template.spec) ? template.spec : null;
  }
  return podTemplateOf(object)?.spec ?? null;
}

function podTemplateOf(object: KubeObject): { metadata: Record<string, unknown>; spec: Record<string, unknown> | null } | null {
  const spec = object.spec;
  if (!isRecord(spec) || !isRecord(spec.template)) return null;
  const template = spec.template;
  if (!isRecord(template.metadata)) template.metadata = {};
  return { metadata: template.metadata as Record<string, unknown>, spec: isRecord(template.spec) ? template.spec : null };
}

function containersOf(podSpec: Record<string, unknown>, field: 'containers' | 'initContainers'): Array<Record<string, unknown>> {
  const list = podSpec[field];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

export const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Kinds that live outside namespaces; the cluster's discovery answer is used when known. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
]);

export interface RenderOptions {
  namespace: string;
  /** Whether a kind is namespaced; defaults to CLUSTER_SCOPED_KINDS. */
  isNamespaced?: (apiVersion: string, kind: string) => boolean;
}

function withMap(target: Record<string, unknown>, field: string, entries: Record<string, string>): void {
  const current = isRecord(target[field]) ? (target[field] as Record<string, string>) : {};
  target[field] = { ...current, ...entries };
}

/**
 * Renders a unit's objects for one environment. The input objects are not modified. The unit's image
 * goes into every container (and init container) whose image repository matches; with no match and a
 * single Deployment of one container, into that container.
 */
export function renderUnit(unit: DeployUnit, sourced: SourcedObject[], options: RenderOptions): RenderedUnit {
  const isNamespaced = options.isNamespaced ?? ((_v: string, kind: string) => !CLUSTER_SCOPED_KINDS.has(kind));
  const repo = imageRepository(unit.image);
  // Manifests name the image as the project builds it (`shop/orders-api:dev`); in an environment with
  // a registry the unit's image is `host/prefix/shop/orders-api@sha256:…`, whose path ends with it.
  const matches = (image: string) => {
    const own = imageRepository(image);
    return own === repo || (unit.sourceImage !== undefined && own === imageRepository(unit.sourceImage)) || repo.endsWith(`/${own}`);
  };
  const substitutions: ImageSubstitution[] = [];
  const notes: string[] = [];
  const labels = { [LABEL_MANAGED_BY]: 'convoy', [LABEL_PROJECT]: unit.service };
  const annotations: Record<string, string> = { [ANNOTATION_RELEASE]: unit.releaseId };
  if (unit.commit) annotations[ANNOTATION_COMMIT] = unit.commit;
  if (unit.sourceImage) annotations[ANNOTATION_IMAGE_TAG] = unit.sourceImage;

  const objects = sourced.map(({ object, source }) => {
    const copy = structuredClone(object);
    if (isNamespaced(copy.apiVersion, copy.kind)) copy.metadata.namespace = options.namespace;
    else delete copy.metadata.namespace;
    withMap(copy.metadata, 'labels', labels);
    withMap(copy.metadata, 'annotations', annotations);
    if (TEMPLATE_KINDS.has(copy.kind)) {
      const template = podTemplateOf(copy);
      if (template) {
        withMap(template.metadata, 'labels', labels);
        withMap(template.metadata, 'annotations', annotations);
      }
    }
    return { service: unit.service, object: copy, ref: objectRef(copy), source };
  });

  for (const rendered of objects) {
    const podSpec = podSpecOf(rendered.object);
    if (!podSpec) continue;
    for (const field of ['initContainers', 'containers'] as const) {
      for (const container of containersOf(podSpec, field)) {
        const image = typeof container.image === 'string' ? container.image : '';
        if (image && matches(image) && image !== unit.image) {
          substitutions.push({ object: rendered.ref, container: String(container.name ?? '?'), from: image, to: unit.image });
          container.image = unit.image;
        } else if (image === unit.image) {
          substitutions.push({ object: rendered.ref, container: String(container.name ?? '?'), from: image, to: unit.image });
        }
      }
    }
  }

  if (substitutions.length === 0) {
    const deployments = objects.filter((o) => o.object.kind === 'Deployment');
    const only = deployments.length === 1 ? deployments[0] : undefined;
    const podSpec = only ? podSpecOf(only.object) : null;
    const containers = podSpec ? containersOf(podSpec, 'containers') : [];
    const container = containers.length === 1 ? containers[0] : undefined;
    if (only && container) {
      substitutions.push({ object: only.ref, container: String(container.name ?? '?'), from: String(container.image ?? ''), to: unit.image });
      container.image = unit.image;
    } else if (objects.some((o) => podSpecOf(o.object))) {
      notes.push(`${unit.service}: no container image matches ${repo}, and there is no single-container Deployment; images left as written`);
    }
  }
  return { service: unit.service, objects, substitutions, notes };
}

/** Apply order: namespaces, then definitions and configuration, then services, then workloads. */
export function applyRank(kind: string): number {
  switch (kind) {
    case 'Namespace':
      return 0;
    case 'CustomResourceDefinition':
      return 1;
    case 'ServiceAccount':
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
    case 'ConfigMap':
    case 'Secret':
    case 'PersistentVolumeClaim':
      return 2;
    case 'Service':
      return 3;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
    case 'CronJob':
    case 'Pod':
      return 5;
    default:
      return 4;
  }
}

/** Stable sort into apply order (units keep their relative order inside a rank). */
export function inApplyOrder<T extends { object: KubeObject }>(objects: T[]): T[] {
  return objects
    .map((item, index) => ({ item, index }))
    .sort((a, b) => applyRank(a.item.object.kind) - applyRank(b.item.object.kind) || a.index - b.index)
    .map(({ item }) => item);
}

/** Reads and parses every manifest of a unit; a unit without a manifests folder has no objects. */
export async function loadUnitManifests(unit: DeployUnit): Promise<SourcedObject[]> {
  if (!unit.manifestsDir) return [];
  const files = await loadManifestFiles(unit.manifestsDir);
  if (files.length === 0) {
    throw new ConvoyError('MANIFEST_INVALID', `${unit.service}: no *.yaml or *.yml manifests in ${unit.manifestsDir}`);
  }
  return files.flatMap(({ file, text }) => parseManifests(file, text));
}
