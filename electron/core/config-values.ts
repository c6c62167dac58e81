// Resolves configuration values against the environment: `${NAME}` and `${NAME:-default}` in literals,
// `{ fromEnv }` and `{ value }` objects, and whether the result is a secret. Pure: the environment is
// passed in.
import type { ConfigValue } from '../../shared/config.js';
import { ConvoyError, type ErrorCode } from '../../shared/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolvedValue {
  value: string;
  secret: boolean;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * `where` names the value in errors (e.g. `orders-api build arg API_TOKEN`); `code` is the error code
 * for a reference to an unset variable.
 */
export function resolveValue(value: ConfigValue, env: Env, where: string, code: ErrorCode = 'CONFIG_INVALID', secretNames: ReadonlySet<string> = new Set()): ResolvedValue {
  if (typeof value !== 'string') {
    if (value.fromEnv !== undefined) {
      const found = env[value.fromEnv];
      if (found === undefined) {
        throw new ConvoyError(code, `${where} reads the environment variable ${value.fromEnv}, which is not set: set it, or give a value`);
      }
      return { value: found, secret: value.secret === true || secretNames.has(value.fromEnv) };
    }
    return { ...resolveValue(value.value ?? '', env, where, code, secretNames), ...(value.secret ? { secret: true } : {}) };
  }
  let secret = false;
  const resolved = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') {
      if (secretNames.has(name)) secret = true;
      return found;
    }
    if (fallback !== undefined) return fallback;
    throw new ConvoyError(code, `${where} references \${${name}}, which is not set: set ${name}, or write \${${name}:-default}`);
  });
  return { value: resolved, secret };
}

/** Resolves a map of values; returns the plain values and the secret ones separately named. */
export function resolveValues(
  values: Readonly<Record<string, ConfigValue>>,
  env: Env,
  where: (key: string) => string,
  code: ErrorCode = 'CONFIG_INVALID',
  secretNames: ReadonlySet<string> = new Set(),
): { values: Record<string, string>; secrets: string[] } {
  const out: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const resolved = resolveValue(value, env, where(key), code, secretNames);
    out[key] = resolved.value;
    if (resolved.secret) secrets.push(resolved.value);
  }
  return { values: out, secrets };
}
