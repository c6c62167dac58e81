// Turns projects and their `convoy` blocks into build requests: resolves build args and test env
// against the environment (a reference to an unset variable is that project's error, not the run's),
// and collects every value marked secret so the redactor can hide it.
import type { ProjectConfig } from '../../shared/config.js';
import { type ErrorPayload, toErrorPayload } from '../../shared/errors.js';
import type { BuildRequest } from './build-stage.js';
import { type Env, resolveValues } from './config-values.js';

/** What the config loader found for one project. */
export interface ProjectFacts {
  project: string;
  /** The `convoy` block, or null when the project has none. */
  config: ProjectConfig | null;
  /** Why the block could not be read, when it could not. */
  configError: ErrorPayload | null;
  /** Absolute build context; null without a block. */
  contextDir: string | null;
  /** Whether the Dockerfile exists (the configured one, or the project's own when there is no block). */
  dockerfileExists: boolean;
  /** Where the Dockerfile was looked for, for the error message. */
  dockerfilePath: string | null;
}

export interface PrepareContext {
  env: Env;
  /** Environment variables whose values are secrets (convoy.yaml `secrets.env`). */
  secretNames: ReadonlySet<string>;
  /** Labels every image gets (commit, created, release id). */
  labels: Record<string, string>;
  defaultTestTimeoutSeconds: number;
}

export interface PreparedBuilds {
  requests: BuildRequest[];
  /** Resolved values marked secret, for the redactor. */
  secrets: string[];
}

function failed(project: string, problem: ErrorPayload): BuildRequest {
  return { project, spec: null, problem, test: null };
}

export function prepareBuildRequests(facts: readonly ProjectFacts[], ctx: PrepareContext): PreparedBuilds {
  const secrets: string[] = [];
  for (const name of ctx.secretNames) {
    const value = ctx.env[name];
    if (value) secrets.push(value);
  }
  const requests = facts.map((fact): BuildRequest => {
    if (fact.configError) return failed(fact.project, fact.configError);
    if (!fact.dockerfileExists) {
      const where = fact.dockerfilePath ? ` at ${fact.dockerfilePath}` : '';
      return failed(fact.project, {
        code: 'NO_DOCKERFILE',
        message: `${fact.project} has no Dockerfile${where}: add one, or set "dockerfile" in its convoy block`,
      });
    }
    if (fact.config === null || fact.contextDir === null) {
      return failed(fact.project, {
        code: 'CONFIG_INVALID',
        message: `${fact.project} has a Dockerfile but no "convoy" block naming its image: add { "convoy": { "image": "…" } } to its package.json`,
      });
    }
    const config = fact.config;
    try {
      const args = resolveValues(config.buildArgs, ctx.env, (key) => `${fact.project} build arg ${key}`, 'BUILD_ARG_UNSET', ctx.secretNames);
      const env = resolveValues(config.env, ctx.env, (key) => `${fact.project} env ${key}`, 'CONFIG_INVALID', ctx.secretNames);
      secrets.push(...args.secrets, ...env.secrets);
      return {
        project: fact.project,
        spec: {
          project: fact.project,
          contextDir: fact.contextDir,
          dockerfile: config.dockerfile,
          buildArgs: args.values,
          repository: config.image,
          ...(config.target ? { target: config.target } : {}),
          labels: { ...ctx.labels },
        },
        problem: null,
        test: config.test
          ? {
              command: config.test,
              timeoutMs: (config.testTimeoutSeconds ?? ctx.defaultTestTimeoutSeconds) * 1000,
              env: env.values,
              stage: config.testStage ?? null,
            }
          : null,
      };
    } catch (err) {
      return failed(fact.project, toErrorPayload(err));
    }
  });
  return { requests, secrets };
}
