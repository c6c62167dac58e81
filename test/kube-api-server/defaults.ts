// Defaulting and validation, for the fields kubectl and Convoy read, the way the API server does.
import { labelSelectorObject } from './selectors.js';
import type { ResourceInfo } from './resources.js';
import { errors } from './status.js';
import { child, dig, isPlainObject, meta, type KubeObject } from './util.js';

function setDefault(object: Record<string, unknown>, key: string, value: unknown): void {
  if (object[key] === undefined || object[key] === null) object[key] = value;
}

function defaultProbe(probe: unknown): void {
  if (!isPlainObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  if (isPlainObject(probe.httpGet)) setDefault(probe.httpGet, 'scheme', 'HTTP');
}

function defaultContainer(container: unknown): void {
  if (!isPlainObject(container)) return;
  const image = typeof container.image === 'string' ? container.image : '';
  const lastSegment = image.split('/').pop() ?? '';
  const latest = !image.includes('@') && (!lastSegment.includes(':') || lastSegment.endsWith(':latest'));
  setDefault(container, 'imagePullPolicy', latest ? 'Always' : 'IfNotPresent');
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  if (Array.isArray(container.ports)) for (const port of container.ports) if (isPlainObject(port)) setDefault(port, 'protocol', 'TCP');
  if (Array.isArray(container.env)) {
    for (const env of container.env) {
      const ref = dig(env, 'valueFrom', 'fieldRef');
      if (isPlainObject(ref)) setDefault(ref, 'apiVersion', 'v1');
    }
  }
  defaultProbe(container.readinessProbe);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.startupProbe);
}

export function defaultPodSpec(spec: Record<string, unknown>): void {
  for (const list of ['containers', 'initContainers']) {
    const containers = spec[list];
    if (Array.isArray(containers)) containers.forEach(defaultContainer);
  }
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  if (Array.isArray(spec.volumes)) {
    for (const volume of spec.volumes) {
      for (const source of ['configMap', 'secret']) {
        const v = dig(volume, source);
        if (isPlainObject(v)) setDefault(v, 'defaultMode', 420);
      }
    }
  }
}

function defaultTemplate(spec: Record<string, unknown>): void {
  const template = child(spec, 'template');
  child(template, 'metadata');
  defaultPodSpec(child(template, 'spec'));
}

let nextClusterIp = 10;

/** Fills in server-side defaults in place. */
export function applyDefaults(info: ResourceInfo, object: KubeObject): void {
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  switch (info.kind) {
    case 'Deployment': {
      const s = spec ?? child(object, 'spec');
      setDefault(s, 'replicas', 1);
      setDefault(s, 'revisionHistoryLimit', 10);
      setDefault(s, 'progressDeadlineSeconds', 600);
      const strategy = child(s, 'strategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const rolling = child(strategy, 'rollingUpdate');
        setDefault(rolling, 'maxUnavailable', '25%');
        setDefault(rolling, 'maxSurge', '25%');
      }
      defaultTemplate(s);
      break;
    }
    case 'ReplicaSet': {
      const s = spec ?? child(object, 'spec');
      setDefault(s, 'replicas', 1);
      defaultTemplate(s);
      break;
    }
    case 'Pod':
      defaultPodSpec(spec ?? child(object, 'spec'));
      break;
    case 'Service': {
      const s = spec ?? child(object, 'spec');
      setDefault(s, 'type', 'ClusterIP');
      setDefault(s, 'sessionAffinity', 'None');
      if (s.type !== 'ExternalName') {
        if (s.clusterIP === undefined) s.clusterIP = `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp++ % 250) + 1}`;
        setDefault(s, 'clusterIPs', [s.clusterIP]);
        setDefault(s, 'ipFamilies', ['IPv4']);
        setDefault(s, 'ipFamilyPolicy', 'SingleStack');
        setDefault(s, 'internalTrafficPolicy', 'Cluster');
      }
      if (Array.isArray(s.ports)) {
        for (const port of s.ports) {
          if (!isPlainObject(port)) continue;
          setDefault(port, 'protocol', 'TCP');
          setDefault(port, 'targetPort', port.port);
        }
      }
      if (!isPlainObject(object.status)) object.status = { loadBalancer: {} };
      break;
    }
    case 'Namespace': {
      const m = meta(object);
      m.labels = { ...(m.labels ?? {}), 'kubernetes.io/metadata.name': String(m.name) };
      setDefault(child(object, 'spec'), 'finalizers', ['kubernetes']);
      if (!isPlainObject(object.status) || !object.status.phase) object.status = { phase: 'Active' };
      break;
    }
    case 'Secret':
      setDefault(object, 'type', 'Opaque');
      break;
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Cause {
  field: string;
  message: string;
  type?: string;
}

function validateContainers(spec: unknown, prefix: string, causes: Cause[]): void {
  const containers = dig(spec, 'containers');
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: `${prefix}.containers`, message: 'Required value', type: 'FieldValueRequired' });
    return;
  }
  containers.forEach((c, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string' || c.name === '') {
      causes.push({ field: `${prefix}.containers[${i}].name`, message: 'Required value', type: 'FieldValueRequired' });
    }
    if (!isPlainObject(c) || typeof c.image !== 'string' || c.image === '') {
      causes.push({ field: `${prefix}.containers[${i}].image`, message: 'Required value', type: 'FieldValueRequired' });
    }
  });
}

function validateWorkload(object: KubeObject, old: KubeObject | undefined, causes: Cause[]): void {
  const selector = dig(object, 'spec', 'selector');
  const labels = dig(object, 'spec', 'template', 'metadata', 'labels');
  const match = labelSelectorObject(selector);
  if (!match) {
    causes.push({ field: 'spec.selector', message: 'Invalid value: "null": empty selector is invalid for deployment', type: 'FieldValueInvalid' });
  } else if (!match(isPlainObject(labels) ? (labels as Record<string, string>) : {})) {
    const rendered = `map[string]string{${Object.entries(isPlainObject(labels) ? labels : {})
      .map(([k, v]) => `"${k}":"${String(v)}"`)
      .join(', ')}}`;
    causes.push({
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${rendered}: \`selector\` does not match template \`labels\``,
      type: 'FieldValueInvalid',
    });
  }
  if (old && JSON.stringify(dig(old, 'spec', 'selector')) !== JSON.stringify(selector)) {
    causes.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(selector)}: field is immutable`, type: 'FieldValueInvalid' });
  }
  const replicas = dig(object, 'spec', 'replicas');
  if (typeof replicas === 'number' && replicas < 0) {
    causes.push({ field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, type: 'FieldValueInvalid' });
  }
  validateContainers(dig(object, 'spec', 'template', 'spec'), 'spec.template.spec', causes);
}

/** Throws a 422 Invalid Status when the (defaulted) object is not acceptable. */
export function validate(info: ResourceInfo, object: KubeObject, old?: KubeObject): void {
  const m = meta(object);
  const name = typeof m.name === 'string' ? m.name : '';
  const causes: Cause[] = [];
  if (!name) {
    causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', type: 'FieldValueRequired' });
  } else {
    const pattern = info.kind === 'Namespace' || info.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN;
    if (!pattern.test(name) || name.length > 253) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${pattern === DNS_LABEL ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        type: 'FieldValueInvalid',
      });
    }
  }
  if (info.kind === 'Deployment' || info.kind === 'ReplicaSet') validateWorkload(object, old, causes);
  if (info.kind === 'Pod') validateContainers(object.spec, 'spec', causes);
  if (info.kind === 'Service' && isPlainObject(object.spec) && object.spec.type !== 'ExternalName') {
    const ports = object.spec.ports;
    if (!Array.isArray(ports) || ports.length === 0) causes.push({ field: 'spec.ports', message: 'Required value', type: 'FieldValueRequired' });
  }
  if (causes.length > 0) throw errors.invalid(info, name, causes);
}
