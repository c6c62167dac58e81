// `npm run kube-api-server -- [--port N] [--kubeconfig PATH] [--token T] [--pod-ready-after-ms MS] [--fault JSON]...`
// Runs the test Kubernetes API server on 127.0.0.1, writes a kubeconfig and serves until Ctrl-C.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeApiServer, type FaultSpec } from '../test/kube-api-server/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    'pod-ready-after-ms': { type: 'string', default: '300' },
    // a FaultSpec (test/kube-api-server/README.md), repeatable: --fault '{"requests":[{"method":"PATCH","status":503,"times":2}]}'
    fault: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: npm run kube-api-server -- [--port N] [--kubeconfig PATH] [--token T] [--pod-ready-after-ms MS] [--fault JSON]...');
  process.exit(0);
}

const server = await startKubeApiServer({
  port: Number(values.port),
  token: values.token,
  podReadyAfterMs: Number(values['pod-ready-after-ms']),
  faults: (values.fault ?? []).map((text) => JSON.parse(text) as FaultSpec),
});
const kubeconfig = server.writeKubeconfig(values.kubeconfig ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'kube-api-server-')), 'kubeconfig'));
console.log(`kube-api-server listening on ${server.url}`);
console.log(`kubeconfig: ${kubeconfig}`);
console.log(`faults: POST/DELETE/GET ${server.url}/__faults`);
console.log(`try: KUBECONFIG=${kubeconfig} kubectl get ns`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
