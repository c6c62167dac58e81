// Convoy's configuration: the workspace's convoy.yaml (environments, build settings, secrets) and each
// project's `convoy` block (in its package.json or project.json). Validated with these schemas when
// loaded; a mistake is reported with the file and the field.
import { z } from 'zod';

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

const RelPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), 'a path relative to the project');

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

export const EnvironmentConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and -'),
    target: TargetConfig,
    approval: z.object({ required: z.boolean() }).strict().optional(),
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
    /** Names of environment variables whose values are secrets (redacted from every log). */
    secrets: z.object({ env: z.array(EnvName).default([]) }).strict().default({ env: [] }),
    environments: z
      .array(EnvironmentConfig)
      .default([])
      .refine((envs) => new Set(envs.map((e) => e.name)).size === envs.length, 'environment names must be unique'),
  })
  .strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

/** Default test timeout when neither the project nor convoy.yaml sets one. */
export const DEFAULT_TEST_TIMEOUT_SECONDS = 300;
