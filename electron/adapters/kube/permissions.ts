// Before the first write of an apply: may this user server-side apply every object? Asked as
// `kubectl auth can-i patch <resource>` asks it, so a user without the right on one kind (say a Role
// that lets it patch Services but not Deployments) is refused before anything is applied, rather
// than after the objects ahead of it in apply order were already written.
import { ConvoyError } from '../../../shared/errors.js';
import type { CallOptions, KubeClient } from './client.js';
import type { RenderedObject } from './manifests.js';

export async function checkApplyPermissions(client: KubeClient, objects: readonly RenderedObject[], environment: string, options: CallOptions = {}): Promise<void> {
  const asked = new Set<string>();
  for (const o of objects) {
    const { apiVersion, kind, metadata } = o.object;
    const resource = await client.served(apiVersion, kind, options);
    if (!resource) continue; // prepare() already refused kinds the cluster does not serve
    const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
    const namespace = resource.namespaced ? metadata.namespace : undefined;
    const key = `${group}\u0000${resource.name}\u0000${namespace ?? ''}`;
    if (asked.has(key)) continue;
    asked.add(key);
    const answer = await client.canI('patch', group, resource.name, namespace, options);
    if (answer && !answer.allowed) {
      const qualified = group ? `${resource.name}.${group}` : resource.name;
      const scope = namespace ? ` -n ${namespace}` : '';
      const ctx = client.ctx(o.ref, namespace ?? '(cluster)');
      throw new ConvoyError(
        'KUBE_AUTH',
        `Kubernetes refused ${o.ref} (context ${ctx.context}, namespace ${ctx.namespace}, environment ${environment}): the user lacks permission ` +
          `to patch ${qualified}${namespace ? ` in namespace ${namespace}` : ''} (403; \`kubectl auth can-i patch ${qualified}${scope}\` answers no${answer.reason ? `: ${answer.reason}` : ''}). ` +
          `Nothing was applied. Ask a cluster admin for a Role that allows patch on ${qualified}, or use a context that has it.`,
      );
    }
  }
}
