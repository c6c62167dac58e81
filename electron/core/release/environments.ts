// Which environments a release walks and with what settings: convoy.yaml lists them in promotion order;
// a release to NAME runs every environment up to and including NAME (or NAME alone with `only`), and
// each environment's `deploy` settings override the workspace's. Pure.
import {
  DEFAULT_DEPLOY_CONCURRENCY,
  DEFAULT_DEPLOY_TIMEOUT_SECONDS,
  type EnvironmentConfig,
  type GatesConfig,
  type WorkspaceConfig,
} from '../../../shared/config.js';
import { ConvoyError } from '../../../shared/errors.js';

/** What the release engine needs to know about one environment. */
export interface EnvironmentSettings {
  name: string;
  config: EnvironmentConfig;
  approvalRequired: boolean;
  rollback: 'auto' | 'manual';
  gates: GatesConfig;
  /** Services of one wave deployed at the same time. */
  concurrency: number;
  /** Deadline for one service to become ready after its apply. */
  timeoutMs: number;
}

export function environmentSettings(config: WorkspaceConfig, environment: EnvironmentConfig): EnvironmentSettings {
  return {
    name: environment.name,
    config: environment,
    approvalRequired: environment.approval?.required ?? false,
    rollback: environment.rollback,
    gates: environment.gates,
    concurrency: environment.deploy?.concurrency ?? config.deploy?.concurrency ?? DEFAULT_DEPLOY_CONCURRENCY,
    timeoutMs: (environment.deploy?.timeout ?? config.deploy?.timeout ?? DEFAULT_DEPLOY_TIMEOUT_SECONDS) * 1000,
  };
}

/**
 * The environments a release (or plan) to `last` walks, in promotion order: all of them without `last`,
 * else every one up to and including it, or `last` alone with `only`. An unknown name is INVALID_INPUT
 * naming the environments there are.
 */
export function environmentsUpTo(config: WorkspaceConfig, last?: string, options: { only?: boolean; file?: string | null } = {}): EnvironmentSettings[] {
  const all = config.environments;
  if (last === undefined) return all.map((e) => environmentSettings(config, e));
  const index = all.findIndex((e) => e.name === last);
  if (index < 0) {
    const known = all.map((e) => e.name);
    throw new ConvoyError(
      'INVALID_INPUT',
      options.file === null
        ? `No environment "${last}": this workspace has no convoy.yaml; see docs/configuration.md`
        : `No environment "${last}" in ${options.file ?? 'convoy.yaml'}; its environments are: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  const chosen = options.only ? [all[index]!] : all.slice(0, index + 1);
  return chosen.map((e) => environmentSettings(config, e));
}
