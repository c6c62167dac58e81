// Everything that happens before the first write: every manifest of every unit read and validated,
// every kind checked against the cluster's discovery, objects rendered for the environment and put in
// apply order. Any failure here means nothing is applied.
import { ConvoyError } from '../../../shared/errors.js';
import type { DeployUnit, TargetCallOptions } from '../../core/ports/deploy-target.js';
import type { KubeClient } from './client.js';
import {
  inApplyOrder,
  LABEL_MANAGED_BY,
  loadUnitManifests,
  objectRef,
  renderUnit,
  type RenderedObject,
  type RenderedUnit,
  type SourcedObject,
} from './manifests.js';

export interface Prepared {
  units: RenderedUnit[];
  /** In apply order, the environment's Namespace first when it is to be created. */
  objects: RenderedObject[];
}

export interface PrepareConfig {
  environment: string;
  namespace: string;
  createNamespace: boolean;
}

/** Parses every unit's manifests (no network); MANIFEST_INVALID on the first bad file or document. */
export async function loadAll(units: DeployUnit[]): Promise<Array<{ unit: DeployUnit; sourced: SourcedObject[] }>> {
  const out: Array<{ unit: DeployUnit; sourced: SourcedObject[] }> = [];
  for (const unit of units) out.push({ unit, sourced: await loadUnitManifests(unit) });
  return out;
}

export async function prepare(client: KubeClient, config: PrepareConfig, units: DeployUnit[], options: TargetCallOptions = {}): Promise<Prepared> {
  const loaded = await loadAll(units);

  // discovery: every kind must be served before anything is written
  const kinds = new Map<string, { apiVersion: string; kind: string; sources: string[] }>();
  for (const { sourced } of loaded) {
    for (const { object, source } of sourced) {
      const key = `${object.apiVersion}\u0000${object.kind}`;
      const entry = kinds.get(key) ?? { apiVersion: object.apiVersion, kind: object.kind, sources: [] };
      entry.sources.push(source);
      kinds.set(key, entry);
    }
  }
  const namespaced = new Map<string, boolean>();
  const unsupported: string[] = [];
  for (const [key, entry] of kinds) {
    const resource = await client.served(entry.apiVersion, entry.kind, options);
    if (!resource) unsupported.push(`${entry.kind} (${entry.apiVersion}) in ${entry.sources.join('; ')}`);
    else namespaced.set(key, resource.namespaced);
  }
  if (unsupported.length > 0) {
    throw new ConvoyError(
      'KUBE_KIND_UNSUPPORTED',
      `The cluster of environment ${config.environment} does not serve ${unsupported.join(', ')}; nothing was applied (install the CRD or fix apiVersion/kind)`,
    );
  }

  const rendered = loaded.map(({ unit, sourced }) =>
    renderUnit(unit, sourced, {
      namespace: config.namespace,
      isNamespaced: (apiVersion, kind) => namespaced.get(`${apiVersion}\u0000${kind}`) ?? true,
    }),
  );
  for (const unit of rendered) for (const note of unit.notes) options.progress?.(note);
  for (const unit of rendered) {
    for (const s of unit.substitutions) {
      if (s.from !== s.to) options.progress?.(`${unit.service}: ${s.object} container ${s.container}: image ${s.from} → ${s.to}`);
    }
  }

  let objects = inApplyOrder(rendered.flatMap((u) => u.objects));
  checkDuplicates(objects);
  const declaresNamespace = objects.some((o) => o.object.kind === 'Namespace' && o.object.metadata.name === config.namespace);
  if (config.createNamespace && !declaresNamespace) {
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: config.namespace, labels: { [LABEL_MANAGED_BY]: 'convoy', 'convoy.dev/environment': config.environment } },
    };
    objects = [{ service: `(namespace of ${config.environment})`, object: ns, ref: objectRef(ns), source: 'environment' }, ...objects];
  }
  return { units: rendered, objects };
}

/** Two units (or files) writing the same object would fight over it; refuse before applying. */
function checkDuplicates(objects: RenderedObject[]): void {
  const seen = new Map<string, RenderedObject>();
  for (const o of objects) {
    const key = `${o.object.apiVersion.split('/').slice(0, -1).join('/')}|${o.ref}`;
    const before = seen.get(key);
    if (before) throw new ConvoyError('MANIFEST_INVALID', `${o.ref} is defined twice: in ${before.source} and in ${o.source}`);
    seen.set(key, o);
  }
}
