// `npm run kube-cluster -- [--port N] [--kubeconfig PATH] [--registry-check]`
// Builds (once per machine, cached) and starts a real Kubernetes control plane on 127.0.0.1 — etcd,
// kube-apiserver, kube-controller-manager and the pod simulator — writes a kubeconfig and serves until
// Ctrl-C (SIGINT) or SIGTERM, then stops everything it started. See test/kube-cluster/README.md.
import { parseArgs } from 'node:util';
import { startKubeCluster } from '../test/kube-cluster/index.js';

const usage = 'usage: npm run kube-cluster -- [--port N] [--kubeconfig PATH] [--registry-check]';
let values: { port?: string; kubeconfig?: string; 'registry-check'?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      kubeconfig: { type: 'string' },
      'registry-check': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number (0 picks a free one), not "${values.port}"\n${usage}`);
  process.exit(2);
}

const started = Date.now();
let cluster;
try {
  cluster = await startKubeCluster({ port, kubeconfig: values.kubeconfig, registryCheck: values['registry-check'], log: (line) => console.log(line) });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
console.log(`kube-cluster (Kubernetes control plane) listening on ${cluster.url}, ready in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`kubeconfig: ${cluster.kubeconfig}`);
console.log(`pod simulator control: ${cluster.simulator.controlUrl} (POST /fail {"image": "<regex>", "mode": "CrashLoopBackOff|ImagePullBackOff|NeverReady"})`);
console.log(`try: KUBECONFIG=${cluster.kubeconfig} ${cluster.binDir}/kubectl get ns`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the control plane');
  void cluster.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
