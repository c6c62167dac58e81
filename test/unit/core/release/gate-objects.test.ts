// Rendered Kubernetes objects as the gates see them (gate-objects.ts), in the shapes the mutation run
// (docs/mutation.md) found unpinned: a bare Pod, a namespace in the object's name, containers without
// a name or image, entries that are not objects, and objects with no pod spec at all.
import { describe, expect, it } from 'vitest';
import { gateObjectFromKube } from '../../../../electron/core/release/gate-objects.js';

describe('gateObjectFromKube', () => {
  it('reads a Pod from its own spec and names it with its namespace', () => {
    const pod = { kind: 'Pod', metadata: { name: 'probe', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'shop/probe:1' }], hostNetwork: true } };
    expect(gateObjectFromKube('probe', pod)).toEqual({
      service: 'probe',
      object: 'Pod shop/probe',
      containers: [{ name: 'c', image: 'shop/probe:1', privileged: false, resources: { requests: {}, limits: {} } }],
      hostNetwork: true,
      hostPaths: [],
    });
  });

  it('names a container without a name "(unnamed)", gives one without an image an empty image, and skips entries that are not objects', () => {
    const deployment = {
      kind: 'Deployment',
      metadata: {},
      spec: { template: { spec: { containers: [{ image: 42 }, 'sidecar', null, ['x']], volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }, { hostPath: {} }, 'junk'] } } },
    };
    expect(gateObjectFromKube('orders-api', deployment)).toEqual({
      service: 'orders-api',
      object: 'Deployment (unnamed)',
      containers: [{ name: '(unnamed)', image: '', privileged: false, resources: { requests: {}, limits: {} } }],
      hostNetwork: false,
      hostPaths: ['logs', '(unnamed)'],
    });
  });

  it('gives null for objects without a pod spec: no spec, a CronJob without a template, a workload whose template has no spec', () => {
    expect(gateObjectFromKube('a', { kind: 'Pod', metadata: { name: 'p' } })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'Pod', metadata: { name: 'p' }, spec: 'not an object' })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'CronJob', metadata: { name: 'j' }, spec: { jobTemplate: { spec: { template: 'x' } } } })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'CronJob', metadata: { name: 'j' }, spec: { jobTemplate: { spec: { template: { spec: null } } } } })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'CronJob', metadata: { name: 'j' }, spec: { jobTemplate: { spec: { template: { spec: 'not a pod spec' } } } } })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: ['not a pod spec'] } } })).toBeNull();
    expect(gateObjectFromKube('a', { kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: {} } } })).toBeNull();
  });
});
