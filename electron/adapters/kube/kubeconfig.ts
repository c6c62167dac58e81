// Which kubeconfig, which context: the path from the environment's config, else KUBECONFIG (a
// path list, merged as kubectl does), else ~/.kube/config. A context that is not there is named with
// the file and the contexts that are.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { ConvoyError } from '../../../shared/errors.js';

export interface KubeconfigSource {
  /** The files read, in order. */
  files: string[];
  /** For messages: the files joined, or the single file. */
  label: string;
}

/** The kubeconfig files to read: explicit path, else KUBECONFIG entries, else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): KubeconfigSource {
  if (explicit) return { files: [explicit], label: explicit };
  const fromEnv = (env.KUBECONFIG ?? '')
    .split(path.delimiter)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (fromEnv.length > 0) return { files: fromEnv, label: fromEnv.join(path.delimiter) };
  const fallback = path.join(home, '.kube', 'config');
  return { files: [fallback], label: fallback };
}

/** Loads the kubeconfig and selects `context`; KUBE_CONTEXT_MISSING names the file and the available contexts. */
export function loadKubeConfig(context: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): { kc: KubeConfig; source: KubeconfigSource } {
  const source = kubeconfigFiles(explicit, env);
  const kc = new KubeConfig();
  const existing = source.files.filter((f) => existsSync(f));
  if (existing.length === 0) {
    throw new ConvoyError('KUBE_CONTEXT_MISSING', `Context "${context}" not found: no kubeconfig at ${source.label}`);
  }
  const clusterFile = new Map<string, string>();
  existing.forEach((file, index) => {
    checkKubeconfigShape(file);
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConvoyError('KUBE_CONTEXT_MISSING', `Cannot read kubeconfig ${file}: ${reason}`);
    }
    for (const c of one.getClusters()) if (!clusterFile.has(c.name)) clusterFile.set(c.name, file);
    if (index === 0) {
      kc.loadFromFile(file);
    } else {
      // kubectl's merge: the first file to define a name wins
      for (const c of one.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
      for (const u of one.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
      for (const x of one.getContexts()) if (!kc.getContextObject(x.name)) kc.addContext(x);
    }
  });
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    throw new ConvoyError(
      'KUBE_CONTEXT_MISSING',
      `Context "${context}" is not in kubeconfig ${source.label}; available contexts: ${names.length > 0 ? names.join(', ') : 'none'}`,
    );
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new ConvoyError('KUBE_CONTEXT_MISSING', `Context "${context}" in ${source.label} names a cluster that is not defined there`);
  }
  checkServerUrl(cluster.name, cluster.server, clusterFile.get(cluster.name) ?? source.label);
  allowLoopbackHttp(kc, cluster.name, cluster.server, context);
  return { kc, source };
}

/**
 * client-node reads any YAML it can parse, so a file that is not a kubeconfig at all (a string, a list,
 * an empty file) would only surface later as "no contexts". Name the file and what is wrong instead.
 */
function checkKubeconfigShape(file: string): void {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/:\s*$/, '') : String(err);
    throw new ConvoyError('CONFIG_INVALID', `kubeconfig ${file} cannot be parsed as YAML: ${reason}`);
  }
  const isMap = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
  if (!isMap) {
    const found = doc === null || doc === undefined ? 'an empty document' : Array.isArray(doc) ? 'a list' : `a ${typeof doc}`;
    throw new ConvoyError('CONFIG_INVALID', `kubeconfig ${file} is not a kubeconfig: its top level is ${found}, not a mapping with clusters, users and contexts`);
  }
  for (const field of ['clusters', 'users', 'contexts']) {
    const value = (doc as Record<string, unknown>)[field];
    if (value !== undefined && value !== null && !Array.isArray(value)) {
      throw new ConvoyError('CONFIG_INVALID', `kubeconfig ${file}: field "${field}" must be a list`);
    }
  }
}

/** The cluster's server must be an http(s) URL; say which file and field when it is not. */
function checkServerUrl(clusterName: string, server: string, file: string): void {
  let url: URL | null = null;
  try {
    url = new URL(server);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConvoyError(
      'CONFIG_INVALID',
      `kubeconfig ${file}: clusters[name=${JSON.stringify(clusterName)}].cluster.server ${JSON.stringify(server)} is not an https:// (or http://) URL; fix the server address`,
    );
  }
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i;

/**
 * client-node refuses `http://` servers unless the cluster says insecure-skip-tls-verify; kubectl does
 * not. A plain-http server on the loopback interface (`kubectl proxy`, a local test server) has no TLS
 * to verify and never leaves the machine, so it is allowed as kubectl allows it. Plain http to any
 * other host is refused with a clear message unless the kubeconfig opts in.
 */
export function allowLoopbackHttp(kc: KubeConfig, clusterName: string, server: string, context: string): void {
  if (!server.startsWith('http:')) return;
  const current = kc.getCluster(clusterName);
  if (current?.skipTLSVerify) return;
  let host = '';
  try {
    host = new URL(server).hostname;
  } catch {
    return;
  }
  if (!LOOPBACK.test(host)) {
    throw new ConvoyError(
      'KUBE_UNREACHABLE',
      `Context "${context}" points at ${server} over plain http; Convoy only talks plain http to this machine (127.0.0.1, localhost). Use https, or set insecure-skip-tls-verify on the cluster if you really mean it.`,
    );
  }
  kc.clusters = kc.clusters.map((c) => (c.name === clusterName ? { ...c, skipTLSVerify: true } : c));
}
