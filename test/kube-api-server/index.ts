// A faithful-enough Kubernetes API server for tests: discovery, CRUD/PATCH/apply/watch on a few
// core and apps/v1 resources, an in-process deployment controller, and fault injection.
// See README.md for what it covers and what it deliberately leaves out.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from './api.js';
import { Controllers } from './controller.js';
import { FaultState, type FaultSpec, type Faults } from './faults.js';
import { createRouter, type RequestRecord } from './http.js';
import { writeKubeconfig } from './kubeconfig.js';
import { resourceByName } from './resources.js';
import { ApiError } from './status.js';
import { Store } from './store.js';
import { Watches } from './watch.js';

export type { FaultSpec, ImageFailure, ImagePattern, RequestFault } from './faults.js';
export { FAULTS_PATH } from './http.js';

export interface KubeApiServerOptions {
  port?: number;
  podReadyAfterMs?: number;
  token?: string;
  /** Faults in place from the first request (what `--fault` gives on the command line). */
  faults?: FaultSpec[];
}

export interface KubeApiServer {
  url: string;
  port: number;
  writeKubeconfig(file: string, options?: { context?: string; namespace?: string; token?: string }): string;
  /** Fault injection (README.md, "Faults API"); also at POST/DELETE/GET `${url}/__faults`. */
  faults: Faults;
  applyAs(manager: string, object: Record<string, unknown>): Promise<void>;
  get(resource: string, namespace: string | null, name: string): Record<string, unknown> | undefined;
  requests: Array<{ method: string; path: string; query: string; contentType: string | undefined }>;
  close(): Promise<void>;
}

function seedNamespaces(api: Api): void {
  const info = resourceByName('namespaces')!;
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    api.create(info, null, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { manager: 'kube-apiserver' });
  }
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new Store();
  const api = new Api(store);
  const faults = new FaultState();
  const watches = new Watches(store);
  const requests: RequestRecord[] = [];
  seedNamespaces(api);
  for (const spec of options.faults ?? []) faults.load(spec);
  const controllers = new Controllers(api, store, options.podReadyAfterMs ?? 300, (image) => faults.imageFailure(image));

  let port = 0;
  const server: Server = createServer(
    createRouter({ api, store, faults, watches, token: options.token, requests, address: () => `127.0.0.1:${port}` }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  controllers.start();

  const exposedFaults: Faults = {
    inject: (rule) => faults.inject(rule),
    failImages: (pattern, failure) => faults.failImages(pattern, failure),
    errors: (rule) => faults.errors(rule),
    resets: (rule) => faults.resets(rule),
    latency: (ms) => faults.latency(ms),
    load: (spec) => faults.load(spec),
    clear: () => faults.clear(),
  };

  return {
    url,
    port,
    writeKubeconfig: (file, kubeconfigOptions = {}) =>
      writeKubeconfig(file, url, { ...kubeconfigOptions, token: kubeconfigOptions.token ?? options.token }),
    faults: exposedFaults,
    async applyAs(manager, object) {
      try {
        api.applyAs(manager, object);
      } catch (error) {
        if (error instanceof ApiError) throw new Error(`applyAs(${manager}) failed: ${error.code} ${error.reason}: ${error.message}`);
        throw error;
      }
    },
    get: (resource, namespace, name) => {
      const info = resourceByName(resource);
      if (!info) return undefined;
      return store.get(info.name, info.namespaced ? namespace : null, name);
    },
    requests,
    async close() {
      controllers.stop();
      watches.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
