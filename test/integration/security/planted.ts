// The planted secrets and the workspace that holds them, for planted-secrets.test.ts. One secret per
// place a user puts one (so a leak names its place), each with characters that base64 and URL
// encoding change; the scan looks for every secret in its plain, base64 and URL-encoded forms.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const run = randomBytes(3).toString('hex');
const secret = (place: string) => `pl4nt-${place}-${run}/Zq+x:9`;

export const SECRETS = {
  buildArg: secret('buildarg'),
  testEnv: secret('testenv'),
  serviceEnv: secret('serviceenv'),
  urlPassword: secret('urlpw'),
  bearer: secret('bearer'),
  configMap: secret('configmap'),
  secretData: secret('secretdata'),
  secretStringData: secret('stringdata'),
  kubeToken: secret('kubetoken'),
  registryAuth: secret('registry'),
} as const;
export type Place = keyof typeof SECRETS;

/** Printed next to the secrets by the test container: its presence proves a surface carries the logs. */
export const CANARY = `canary-${run}-visible`;

export const forms = (value: string) => ({ plain: value, base64: Buffer.from(value).toString('base64'), url: encodeURIComponent(value) });

/** Every planted secret, in every form, found in `text` — as `place/form` names. */
export function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const [place, value] of Object.entries(SECRETS)) {
    for (const [form, encoded] of Object.entries(forms(value))) if (text.includes(encoded)) found.push(`${place}/${form}`);
  }
  return found;
}

export const b64 = (value: string) => Buffer.from(value).toString('base64');

/** `sh` that prints one variable's value three ways: as is, base64 (busybox), and the URL form handed in. */
const printForms = (variable: string) => `echo "${variable}=$${variable}"; printf %s "$${variable}" | base64; echo "$${variable}_URL"`;

export function workspaceFiles(opts: { environment: string; kubeconfig: string; image: string }): Record<string, string> {
  const envOf = (place: Place) => forms(SECRETS[place]);
  const serviceEnv: Record<string, unknown> = {
    TEST_TOKEN: { fromEnv: 'PLANT_TEST_ENV' },
    TEST_TOKEN_URL: envOf('testEnv').url,
    SERVICE_SETTING: { value: SECRETS.serviceEnv, secret: true },
    SERVICE_SETTING_URL: envOf('serviceEnv').url,
    DATABASE_URL: `postgres://app:${envOf('urlPassword').url}@db:5432/app`,
    UPSTREAM_AUTH: `Bearer ${SECRETS.bearer}`,
    KUBE_TOKEN: '${PLANT_KUBE_TOKEN}',
    KUBE_TOKEN_URL: envOf('kubeToken').url,
    REGISTRY_PASSWORD: '${PLANT_REGISTRY}',
    REGISTRY_PASSWORD_URL: envOf('registryAuth').url,
    LOG_LEVEL: 'info',
  };
  const testScript = [
    `echo ${CANARY}`,
    ...['TEST_TOKEN', 'SERVICE_SETTING', 'KUBE_TOKEN', 'REGISTRY_PASSWORD'].map(printForms),
    'echo "DATABASE_URL=$DATABASE_URL"',
    'echo "UPSTREAM_AUTH=$UPSTREAM_AUTH"',
    'env',
  ].join('; ');
  const manifests = (version: string) => ({
    [`services/api/deploy/deployment.yaml`]: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: api }',
      'spec:',
      '  replicas: 1',
      '  selector: { matchLabels: { app: api } }',
      '  template:',
      '    metadata: { labels: { app: api } }',
      '    spec:',
      '      containers:',
      '        - name: api',
      `          image: ${opts.image}`,
      '          env:',
      `            - { name: DATABASE_URL, value: ${JSON.stringify(`postgres://app:${version === 'v1' ? 'old-pw-1' : envOf('urlPassword').url}@db/app`)} }`,
      `            - { name: UPSTREAM_AUTH, value: ${JSON.stringify(`Bearer ${version === 'v1' ? 'old-bearer-1' : SECRETS.bearer}`)} }`,
      `            - { name: SERVICE_SETTING, value: ${JSON.stringify(version === 'v1' ? 'plain-old' : SECRETS.serviceEnv)} }`,
      `            - { name: CANARY, value: ${JSON.stringify(`${CANARY}-${version}`)} }`,
      '',
    ].join('\n'),
    [`services/api/deploy/configmap.yaml`]: [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: api-config }',
      'data:',
      `  upstream-token: ${JSON.stringify(version === 'v1' ? 'old-config' : SECRETS.configMap)}`,
      `  upstream-token-b64: ${JSON.stringify(version === 'v1' ? 'old-config' : b64(SECRETS.configMap))}`,
      `  note: ${JSON.stringify(`${CANARY}-${version}`)}`,
      '',
    ].join('\n'),
    [`services/api/deploy/secret.yaml`]: [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: api-secret }',
      'type: Opaque',
      'data:',
      `  token: ${JSON.stringify(b64(version === 'v1' ? 'old-data' : SECRETS.secretData))}`,
      'stringData:',
      `  password: ${JSON.stringify(version === 'v1' ? 'old-string' : SECRETS.secretStringData)}`,
      '',
    ].join('\n'),
  });
  return {
    'nx.json': '{}\n',
    'package.json': JSON.stringify({ name: 'planted', private: true, workspaces: ['services/*'] }, null, 2),
    'convoy.yaml': [
      'secrets:',
      '  env: [PLANT_TEST_ENV, PLANT_CONFIGMAP]',
      'environments:',
      `  - name: ${opts.environment}`,
      '    target: { kind: docker }',
      '  - name: staging',
      `    target: { kind: kubernetes, context: planted, namespace: shop, createNamespace: true, kubeconfig: ${JSON.stringify(opts.kubeconfig)} }`,
      '',
    ].join('\n'),
    'services/api/package.json': JSON.stringify(
      {
        name: 'api',
        version: '1.0.0',
        convoy: {
          image: opts.image,
          buildArgs: { NPM_TOKEN: { fromEnv: 'PLANT_BUILD_ARG', secret: true }, NPM_TOKEN_URL: forms(SECRETS.buildArg).url },
          test: ['sh', '-c', testScript],
          env: serviceEnv,
        },
      },
      null,
      2,
    ),
    'services/api/Dockerfile': [
      'FROM busybox:1.36.1',
      'ARG NPM_TOKEN',
      'ARG NPM_TOKEN_URL',
      `RUN echo "${CANARY} build"; echo "token=$NPM_TOKEN"; printf %s "$NPM_TOKEN" | base64; echo "$NPM_TOKEN_URL"`,
      // The service prints its settings when it starts, then keeps running.
      'CMD ["sh", "-c", "env; sleep 3600"]',
      '',
    ].join('\n'),
    ...manifests('v2'),
    // v1 of the manifests, deployed first so that the diff has a live side
    ...Object.fromEntries(Object.entries(manifests('v1')).map(([file, text]) => [file.replace('/deploy/', '/deploy-v1/'), text])),
  };
}

/** A Docker client config whose registry auth carries the registry secret. */
export function writeDockerConfig(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'registry.example.com': { auth: b64(`planted:${SECRETS.registryAuth}`) } } }), { mode: 0o600 });
  return dir;
}
