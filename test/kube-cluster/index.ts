// A real Kubernetes control plane for the tests, on 127.0.0.1 only: etcd (fresh data directory),
// kube-apiserver (RBAC, the default admission plugins, service-account tokens signed with a key made
// here), kube-controller-manager (deployments, replica sets, service accounts and their tokens,
// namespaces, garbage collection) and the pod simulator for one fake node. Built once per machine
// from this folder's Go module (build.sh). Writes a kubeconfig whose user is a service account token.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectStatus, kubeHttp, type KubeHttp } from './http.js';
import { makePki, readPem } from './pki.js';
import { buildControlPlane, cleanStaleRuns, type Component, failure, reservePort, startComponent, stopComponent, waitFor } from './processes.js';
import { type FailureMode, type PodSimulator, startPodSimulator } from './simulator.js';

export { buildControlPlane } from './processes.js';
export type { FailureMode } from './simulator.js';

export interface KubeClusterOptions {
  /** The API server's port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Where the kubeconfig goes (default: in the run directory). */
  kubeconfig?: string;
  /** The context name in the kubeconfig (default convoy-kube-cluster). */
  context?: string;
  /** Images on a registry at 127.0.0.1/localhost must have their manifest there, else ImagePullBackOff. */
  registryCheck?: boolean;
  /** Progress lines (build, start). */
  log?: (line: string) => void;
}

export interface KubeCluster {
  url: string;
  kubeconfig: string;
  context: string;
  /** A token of the service account kube-system/convoy-test (bound to cluster-admin). */
  token: string;
  binDir: string;
  /** The run directory: certificates, logs, etcd data; removed by close(). */
  dir: string;
  /** Admin access for helpers (client certificate, group system:masters). */
  admin: KubeHttp;
  simulator: PodSimulator;
  failImages(image: RegExp, mode: FailureMode): void;
  /** Writes a kubeconfig for another token (e.g. a service account with fewer rights). */
  writeKubeconfig(file: string, options: { token: string; context?: string }): string;
  /** Asks the API server for a token of a service account. */
  createToken(namespace: string, serviceAccount: string): Promise<string>;
  close(): Promise<void>;
}

const RUNS_ROOT = path.join(os.tmpdir(), 'convoy-kube-cluster');

export async function startKubeCluster(options: KubeClusterOptions = {}): Promise<KubeCluster> {
  const log = options.log ?? (() => {});
  const binDir = await buildControlPlane(log);
  const bin = (name: string) => path.join(binDir, name);

  cleanStaleRuns(RUNS_ROOT, log);
  const port = await reservePort(options.port ?? 0);
  mkdirSync(RUNS_ROOT, { recursive: true });
  const dir = mkdtempSync(path.join(RUNS_ROOT, 'run-'));
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const components: Component[] = [];
  const record = (c: Component) => {
    components.push(c);
    writeFileSync(path.join(dir, 'pids'), components.map((x) => x.child.pid ?? '').join('\n'));
    return c;
  };
  let admin: KubeHttp | null = null;
  let simulator: PodSimulator | null = null;
  const stopAll = async () => {
    await simulator?.stop().catch(() => {});
    admin?.close();
    for (const c of [...components].reverse()) await stopComponent(c);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const pki = await makePki(dir);
    const etcdPort = await reservePort(0);
    const peerPort = await reservePort(0);
    log('starting etcd');
    const etcd = record(
      startComponent('etcd', bin('etcd'), [
        '--name=convoy-test',
        `--data-dir=${path.join(dir, 'etcd-data')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=convoy-test=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync', // test data only: fsync on a shared disk slows every write
        '--log-level=warn',
      ], path.join(dir, 'etcd.log')),
    );
    await waitFor(etcd, async () => {
      const res = await fetch(`http://127.0.0.1:${etcdPort}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }, 60_000);

    log(`starting kube-apiserver on https://127.0.0.1:${port}`);
    const url = `https://127.0.0.1:${port}`;
    const apiserver = record(
      startComponent('kube-apiserver', bin('kube-apiserver'), [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--endpoint-reconciler-type=none', // no kubernetes Service endpoints: nothing in the tests routes traffic
        '--profiling=false',
        '--v=1',
      ], path.join(dir, 'kube-apiserver.log')),
    );
    admin = kubeHttp(url, { ca: readPem(pki.caCert), cert: readPem(pki.adminCert), key: readPem(pki.adminKey) }, 10_000);
    const api = admin;
    await waitFor(apiserver, async () => (await api.request('GET', '/readyz')).status === 200, 180_000);

    const kcmConfig = writeAdminKubeconfig(path.join(dir, 'admin.kubeconfig'), url, pki);
    log('starting kube-controller-manager');
    const kcm = record(
      startComponent('kube-controller-manager', bin('kube-controller-manager'), [
        `--kubeconfig=${kcmConfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--leader-elect=false',
        '--controllers=deployment,replicaset,serviceaccount,serviceaccount-token,namespace,garbagecollector,root-ca-cert-publisher',
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--concurrent-deployment-syncs=10',
        '--concurrent-replicaset-syncs=10',
        '--v=1',
      ], path.join(dir, 'kube-controller-manager.log')),
    );
    // The service-account controller creating `default` in `default` shows the controllers are running.
    await waitFor(kcm, async () => (await api.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200, 120_000);

    simulator = await startPodSimulator({ api, registryCheck: options.registryCheck, log });
    const createToken = async (namespace: string, serviceAccount: string) => {
      const res = expectStatus(
        await api.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86_400 } }),
        `token for ${namespace}/${serviceAccount}`,
        201,
      );
      return (res.body as { status: { token: string } }).status.token;
    };
    await makeTestServiceAccount(api);
    const token = await createToken('kube-system', 'convoy-test');
    const context = options.context ?? 'convoy-kube-cluster';
    const ca = readPem(pki.caCert);
    const writeKubeconfig = (file: string, o: { token: string; context?: string }) => writeTokenKubeconfig(file, url, ca, o.token, o.context ?? context);
    const kubeconfig = writeKubeconfig(options.kubeconfig ?? path.join(dir, 'kubeconfig'), { token });
    const sim = simulator;
    return {
      url,
      kubeconfig,
      context,
      token,
      binDir,
      dir,
      admin: api,
      simulator: sim,
      failImages: (image, mode) => sim.failImages(image, mode),
      writeKubeconfig,
      createToken,
      close: stopAll,
    };
  } catch (error) {
    const crashed = components.find((c) => c.exited);
    const message = crashed && !(error as Error).message.includes(crashed.log) ? `${(error as Error).message}\n${failure(crashed, 'stopped').message}` : (error as Error).message;
    await stopAll();
    throw new Error(`the Kubernetes control plane did not start: ${message}`);
  }
}

async function makeTestServiceAccount(api: KubeHttp): Promise<void> {
  const sa = await api.request('POST', '/api/v1/namespaces/kube-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'convoy-test' } });
  if (sa.status !== 409) expectStatus(sa, 'create the test service account', 201);
  const binding = await api.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'convoy-test-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'convoy-test', namespace: 'kube-system' }],
  });
  if (binding.status !== 409) expectStatus(binding, 'bind the test service account to cluster-admin', 201);
}

function writeAdminKubeconfig(file: string, url: string, pki: { caCert: string; adminCert: string; adminKey: string }): string {
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: ${url}\n    certificate-authority: ${pki.caCert}\nusers:\n- name: admin\n  user:\n    client-certificate: ${pki.adminCert}\n    client-key: ${pki.adminKey}\ncontexts:\n- name: admin\n  context:\n    cluster: local\n    user: admin\ncurrent-context: admin\n`,
    { mode: 0o600 },
  );
  return file;
}

function writeTokenKubeconfig(file: string, url: string, ca: string, token: string, context: string): string {
  const caData = Buffer.from(ca).toString('base64');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: ${context}\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${caData}\nusers:\n- name: ${context}\n  user:\n    token: ${token}\ncontexts:\n- name: ${context}\n  context:\n    cluster: ${context}\n    user: ${context}\ncurrent-context: ${context}\n`,
    { mode: 0o600 },
  );
  return file;
}
