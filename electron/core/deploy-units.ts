// What a deploy target receives for one service of a release: the built image and the project's run
// settings (port, health path, env resolved against the environment's variables). Environment-level
// env from convoy.yaml is applied over the project's own.
import type { ConfigValue, ProjectConfig } from '../../shared/config.js';
import { type Env, resolveValues } from './config-values.js';
import type { DeployUnit } from './ports/deploy-target.js';

export interface DeployUnitInput {
  service: string;
  config: ProjectConfig;
  /** Absolute manifests folder, when the project has one. */
  manifestsDir: string | null;
  image: string;
  /** The local reference a registry `image` was pushed from. */
  sourceImage?: string;
  releaseId: string;
  commit: string | null;
  /** convoy.yaml's env for this environment. */
  environmentEnv: Readonly<Record<string, ConfigValue>>;
}

/** The unit, plus the resolved values marked secret (for the redactor). */
export function toDeployUnit(input: DeployUnitInput, env: Env, secretNames: ReadonlySet<string> = new Set()): { unit: DeployUnit; secrets: string[] } {
  const own = resolveValues(input.config.env, env, (key) => `${input.service} env ${key}`, 'CONFIG_INVALID', secretNames);
  const shared = resolveValues(input.environmentEnv, env, (key) => `environment env ${key}`, 'CONFIG_INVALID', secretNames);
  return {
    unit: {
      service: input.service,
      image: input.image,
      ...(input.sourceImage && input.sourceImage !== input.image ? { sourceImage: input.sourceImage } : {}),
      releaseId: input.releaseId,
      commit: input.commit,
      manifestsDir: input.manifestsDir,
      port: input.config.port ?? null,
      health: input.config.health ?? null,
      env: { ...own.values, ...shared.values },
      secrets: [...own.secrets, ...shared.secrets],
    },
    secrets: [...own.secrets, ...shared.secrets],
  };
}
