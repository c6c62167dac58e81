// Convoy's configuration: the workspace's convoy.yaml (environments, build settings, secrets) and each
// project's `convoy` block (in its package.json or project.json). Validated with these schemas when
// loaded; a mistake is reported with the file and the field.
import { z } from 'zod';
import { registryRefProblem } from './registry-ref.js';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and _');

/**
 * A value in config: a literal (which may reference environment variables as `${NAME}` or
 * `${NAME:-default}`), or `{ fromEnv: NAME }` / `{ value }`, either of which can be marked `secret`
 * so that it is redacted from every log.
 */
export const ConfigValue = z.union([
  z.string(),
  z
    .object({ value: z.string().optional(), fromEnv: EnvName.optional(), secret: z.boolean().optional() })
    .strict()
    .refine((v) => (v.value === undefined) !== (v.fromEnv === undefined), 'give exactly one of value or fromEnv'),
]);
export type ConfigValue = z.infer<typeof ConfigValue>;

/** A path relative to the project; the loader resolves it and keeps it inside the workspace (symlinks included). */
const RelPath = z.string().min(1);

/** A project's `convoy` block. */
export const ProjectConfig = z
  .object({
    /** Image repository without tag, e.g. `shop/orders-api`; the tag is always the content hash. */
    image: z.string().min(1),
    /** Dockerfile, relative to the build context. */
    dockerfile: RelPath.default('Dockerfile'),
    /** Build context, relative to the project root. */
    context: RelPath.default('.'),
    /** Build stage that makes the deployable image (default: the last stage). */
    target: z.string().min(1).optional(),
    buildArgs: z.record(z.string(), ConfigValue).default({}),
    /** Command run inside the image (or the test stage's image) to test it. */
    test: z.array(z.string()).min(1).optional(),
    /** Build stage to run the tests in, when tests need tools the deployable image leaves out. */
    testStage: z.string().min(1).optional(),
    testTimeoutSeconds: z.number().int().positive().max(86_400).optional(),
    /** Port the service listens on in its container. */
    port: z.number().int().min(1).max(65_535).optional(),
    /** HTTP health path, e.g. `/healthz`. */
    health: z.string().startsWith('/').optional(),
    env: z.record(EnvName, ConfigValue).default({}),
    /** Kubernetes manifests folder, relative to the project root (default `deploy` when present). */
    manifests: RelPath.optional(),
    /**
     * Deployable projects this one deploys after, beyond what the Nx graph says (a runtime dependency
     * with no import, e.g. a service called over HTTP).
     */
    deployAfter: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ProjectConfig = z.infer<typeof ProjectConfig>;

export const TargetConfig = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('docker'),
      /** Fixed host ports (on 127.0.0.1) per service; others get a free port. */
      ports: z.record(z.string(), z.number().int().min(1).max(65_535)).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('kubernetes'),
      context: z.string().min(1),
      namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace name'),
      createNamespace: z.boolean().optional(),
      /** kubeconfig file; default KUBECONFIG, then ~/.kube/config. */
      kubeconfig: z.string().min(1).optional(),
    })
    .strict(),
]);
export type TargetConfig = z.infer<typeof TargetConfig>;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds, given as a number or as `90s`, `5m`, `1h`; always a positive whole number of seconds. */
export const DurationSeconds = z.union([
  z.number().int().positive().max(86_400),
  z
    .string()
    .regex(/^[1-9][0-9]{0,5}[smh]$/, 'a duration such as 90s, 5m or 1h, or a number of seconds')
    .transform((text) => Number(text.slice(0, -1)) * (DURATION_UNITS[text.slice(-1)] ?? 1))
    .refine((seconds) => seconds <= 86_400, 'at most 24h'),
]);

/** How the release engine deploys the services of one wave. */
export const DeployConfig = z
  .object({
    /** Services of one wave deployed at the same time. */
    concurrency: z.number().int().min(1).max(64).optional(),
    /** How long one service may take to become ready and healthy after its apply. */
    timeout: DurationSeconds.optional(),
  })
  .strict();
export type DeployConfig = z.infer<typeof DeployConfig>;

const ServiceNames = z.array(z.string().min(1)).default([]);

/**
 * The release gates of one environment (electron/core/release/gates.ts). Each is on unless switched
 * off; `allow` names the services that may run privileged, mount host paths or use the host network.
 */
export const GatesConfig = z
  .object({
    /** No `:latest`, no missing tag, no image the release did not build. */
    immutableImages: z.boolean().default(true),
    /** Every container sets CPU and memory requests and limits. */
    resources: z.boolean().default(true),
    /** No privileged container, hostPath volume or host network, except for the services in `allow`. */
    hostAccess: z.boolean().default(true),
    /** The image about to deploy is the one built and tested in this release, by image ID. */
    testedImages: z.boolean().default(true),
    allow: z
      .object({ privileged: ServiceNames, hostPath: ServiceNames, hostNetwork: ServiceNames })
      .strict()
      .default({ privileged: [], hostPath: [], hostNetwork: [] }),
  })
  .strict();
export type GatesConfig = z.infer<typeof GatesConfig>;

export const EnvironmentConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and -'),
    target: TargetConfig,
    /**
     * `host[:port]/prefix`: the registry this environment's cluster pulls from. Each built image is
     * pushed there once (credentials from the Docker client's config) and deployed by digest. The
     * Docker target needs none.
     */
    registry: z
      .string()
      .superRefine((text, ctx) => {
        const problem = registryRefProblem(text);
        if (problem) ctx.addIssue({ code: 'custom', message: `registry "${text}" ${problem}` });
      })
      .optional(),
    /** A person approves (console, `--yes`, or a prompt) before anything is applied here. */
    approval: z.object({ required: z.boolean() }).strict().optional(),
    /** `auto`: a failed release is rolled back in this environment; `manual`: it is left as it is. */
    rollback: z.enum(['auto', 'manual']).default('auto'),
    gates: GatesConfig.default(GatesConfig.parse({})),
    /** Overrides the workspace's `deploy` settings in this environment. */
    deploy: DeployConfig.optional(),
    env: z.record(EnvName, ConfigValue).default({}),
  })
  .strict();
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const WorkspaceConfig = z
  .object({
    /**
     * Which nx reads the workspace's project graph: `workspace` (its own installed nx, the default;
     * Nx 20 to 24) or `bundled` (Convoy's own nx, e.g. for a workspace on an older Nx).
     */
    nx: z.enum(['workspace', 'bundled']).optional(),
    build: z
      .object({
        /** Parallel builds; default: the number of CPUs. */
        concurrency: z.number().int().min(1).max(64).optional(),
        /** Default test timeout for projects that set none. */
        testTimeoutSeconds: z.number().int().positive().max(86_400).optional(),
      })
      .strict()
      .default({}),
    /** Defaults for every environment (each can override them under its own `deploy`). */
    deploy: DeployConfig.optional(),
    /** Names of environment variables whose values are secrets (redacted from every log). */
    secrets: z.object({ env: z.array(EnvName).default([]) }).strict().default({ env: [] }),
    /** In promotion order: a release passes through them first to last. */
    environments: z
      .array(EnvironmentConfig)
      .default([])
      .refine((envs) => new Set(envs.map((e) => e.name)).size === envs.length, 'environment names must be unique'),
  })
  .strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

/** Default test timeout when neither the project nor convoy.yaml sets one. */
export const DEFAULT_TEST_TIMEOUT_SECONDS = 300;

/** Services of one wave deployed at the same time when neither convoy.yaml nor the environment says. */
export const DEFAULT_DEPLOY_CONCURRENCY = 4;
/** How long a service may take to become ready when neither convoy.yaml nor the environment says. */
export const DEFAULT_DEPLOY_TIMEOUT_SECONDS = 300;
