// `npm run kube-api-server -- [--port N] [--kubeconfig PATH] [--token T] [--pod-ready-after-ms MS]`
// Runs the test Kubernetes API server on 127.0.0.1, writes a kubeconfig and serves until Ctrl-C.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeApiServer } from '../test/kube-api-server/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    'pod-ready-after-ms': { type: 'string', default: '300' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: npm run kube-api-server -- [--port N] [--kubeconfig PATH] [--token T] [--pod-ready-after-ms MS]');
  process.exit(0);
}

const server = await startKubeApiServer({
  port: Number(values.port),
  token: values.token,
  podReadyAfterMs: Number(values['pod-ready-after-ms']),
});
const kubeconfig = server.writeKubeconfig(values.kubeconfig ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'kube-api-server-')), 'kubeconfig'));
console.log(`kube-api-server listening on ${server.url}`);
console.log(`kubeconfig: ${kubeconfig}`);
console.log(`try: KUBECONFIG=${kubeconfig} kubectl get ns`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
