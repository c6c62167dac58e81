// Pure parts of the Docker staging target: container names, the labels that record a revision, the
// service spec compared by diff, secret masking and the unified-style text diff. No Docker, no I/O.
import { isSecretEnv, isSecretName } from '../../core/secret-shapes.js';
import { unifiedDiff as lineDiff } from '../text-diff/unified-diff.js';
import { ConvoyError } from '../../../shared/errors.js';

export const LABELS = {
  managedBy: 'dev.convoy.managed-by',
  environment: 'dev.convoy.environment',
  service: 'dev.convoy.service',
  releaseId: 'dev.convoy.release-id',
  commit: 'dev.convoy.commit',
  revision: 'dev.convoy.revision',
  image: 'dev.convoy.image',
  createdAt: 'dev.convoy.created-at',
  /** JSON of SpecLabel: everything besides the image and env values needed to recreate the container. */
  spec: 'dev.convoy.spec',
  /** Set on a revision created by rollback: the revision it copies. */
  rollbackOf: 'dev.convoy.rollback-of',
} as const;

export const MANAGED_BY = 'convoy';

/** What a service's container is made from; diff compares exactly these fields. */
export interface ServiceSpec {
  /** Image reference as the release gave it. */
  image: string;
  /** Port inside the container, published on 127.0.0.1; null publishes nothing. */
  port: number | null;
  /** HTTP health path; null uses the image's HEALTHCHECK or "keeps running". */
  health: string | null;
  /** Fixed host port; null lets Docker pick a free one. */
  hostPort: number | null;
  env: Record<string, string>;
}

/**
 * Stored in the `dev.convoy.spec` label. Env values are not stored here: they live in the container's
 * own Config.Env (read back by key), so secrets are not written a second time into labels.
 */
export interface SpecLabel {
  v: 1;
  port: number | null;
  health: string | null;
  hostPort: number | null;
  envKeys: string[];
}

const NAME_PART = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Environment and service names become part of container names; refuse what Docker would refuse. */
export function checkNamePart(kind: 'environment' | 'service', value: string): void {
  if (!NAME_PART.test(value) || value.length > 100) {
    throw new ConvoyError(
      'CONFIG_INVALID',
      `The Docker target needs ${kind} names made of letters, digits, '_', '.' and '-' (starting with a letter or digit): ${JSON.stringify(value)}`,
    );
  }
}

export function containerName(environment: string, service: string): string {
  return `convoy-${environment}-${service}`;
}

export function candidateName(environment: string, service: string, revision: number): string {
  return `${containerName(environment, service)}-next-${revision}`;
}

export function retiredName(environment: string, service: string, revision: number): string {
  return `${containerName(environment, service)}-r${revision}`;
}

export type ContainerRole = 'current' | 'candidate' | 'retired' | 'other';

/** Which part a container plays for env/service, judged from its name (Docker's names start with '/'). */
export function roleOf(name: string, environment: string, service: string): ContainerRole {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  const base = containerName(environment, service);
  if (bare === base) return 'current';
  if (bare.startsWith(`${base}-next-`) && /^\d+$/.test(bare.slice(base.length + 6))) return 'candidate';
  if (bare.startsWith(`${base}-r`) && /^\d+$/.test(bare.slice(base.length + 2))) return 'retired';
  return 'other';
}

export { isSecretName };

export function encodeSpecLabel(spec: ServiceSpec): string {
  const label: SpecLabel = {
    v: 1,
    port: spec.port,
    health: spec.health,
    hostPort: spec.hostPort,
    envKeys: Object.keys(spec.env).sort(),
  };
  return JSON.stringify(label);
}

function isPortOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536);
}

/** null when the label is missing or not one this version wrote. */
export function decodeSpecLabel(text: string | undefined): SpecLabel | null {
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || !isPortOrNull(v.port) || !isPortOrNull(v.hostPort)) return null;
  if (v.health !== null && typeof v.health !== 'string') return null;
  if (!Array.isArray(v.envKeys) || !v.envKeys.every((k) => typeof k === 'string')) return null;
  return { v: 1, port: v.port, health: v.health, hostPort: v.hostPort, envKeys: v.envKeys };
}

/** Picks `keys` out of Docker's `KEY=value` list (the image's own ENV entries are ignored). */
export function envFromList(list: readonly string[] | undefined, keys: readonly string[]): Record<string, string> {
  const all = new Map<string, string>();
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) all.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const out: Record<string, string> = {};
  for (const key of [...keys].sort()) {
    const value = all.get(key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function envToList(env: Record<string, string>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key] ?? ''}`);
}

export function sameSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  if (a.image !== b.image || a.port !== b.port || a.health !== b.health || a.hostPort !== b.hostPort) return false;
  const ak = Object.keys(a.env).sort();
  const bk = Object.keys(b.env).sort();
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && a.env[k] === b.env[k]);
}

export interface RenderExtras {
  /** e.g. `running`, `exited (code 3)`. */
  state?: string;
  /** Appended to the image line, e.g. an image id when the tag moved. */
  imageNote?: string;
  /** Values declared secret (masked wherever an env value holds one, whatever the variable's name). */
  secrets?: ReadonlySet<string>;
  /** Env keys to mask whatever their value here (secret on the other side of the diff). */
  secretKeys?: ReadonlySet<string>;
}

/** The env keys either spec holds a secret in, for masking both sides of a diff alike. */
export function secretEnvKeys(specs: ReadonlyArray<ServiceSpec | null | undefined>, secrets: ReadonlySet<string> = new Set()): Set<string> {
  const keys = new Set<string>();
  for (const spec of specs) for (const [key, value] of Object.entries(spec?.env ?? {})) if (isSecretEnv(key, value, secrets)) keys.add(key);
  return keys;
}

/**
 * The fields diff compares, one per line. Secret env values — named like a secret, declared secret
 * (by value), or carrying credentials (a URL password, a Bearer/Basic value) — are shown as `***`, on
 * either side when either side's value is one. Rendering the
 * new side, pass the old spec as `previous`: a secret whose value differs from it is shown as
 * `*** (changed)`, so a changed secret still shows up as a changed line.
 */
export function renderSpec(spec: ServiceSpec, extras: RenderExtras = {}, previous?: ServiceSpec): string[] {
  const lines = [
    `image: ${spec.image}${extras.imageNote ? ` ${extras.imageNote}` : ''}`,
    `port: ${spec.port ?? 'none'}`,
    `health: ${spec.health ?? 'image HEALTHCHECK or keeps running'}`,
    `published: ${spec.port === null ? 'nothing' : `127.0.0.1:${spec.hostPort ?? 'auto'}`}`,
  ];
  if (extras.state !== undefined) lines.push(`state: ${extras.state}`);
  const keys = Object.keys(spec.env).sort();
  lines.push(keys.length === 0 ? 'env: {}' : 'env:');
  for (const key of keys) {
    const value = spec.env[key] ?? '';
    const before = previous?.env[key];
    const secret = isSecretEnv(key, value, extras.secrets) || extras.secretKeys?.has(key) === true || (before !== undefined && isSecretEnv(key, before, extras.secrets));
    if (!secret) {
      lines.push(`  ${key}=${value}`);
    } else {
      const changed = before !== undefined && before !== value;
      lines.push(`  ${key}=***${changed ? ' (changed)' : ''}`);
    }
  }
  return lines;
}

/** The whole spec as one hunk (a container spec is a handful of lines): the shared line diff, all context. */
export function unifiedDiff(oldLines: readonly string[], newLines: readonly string[], oldLabel: string, newLabel: string): string {
  return lineDiff(oldLines, newLines, oldLabel, newLabel, Number.POSITIVE_INFINITY);
}

/** Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers) into text; plain text passes. */
export function demuxDockerLog(raw: Buffer): string {
  const framed = raw.length >= 8 && raw[0]! <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
  if (!framed) return raw.toString('utf8');
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, Math.min(raw.length, at + 8 + size)));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Checks a unit's Docker-relevant fields; throws CONFIG_INVALID naming the service. */
export function checkSpec(environment: string, service: string, spec: ServiceSpec): void {
  const where = `${environment}/${service}`;
  const badPort = (p: number | null) => p !== null && (!Number.isInteger(p) || p < 1 || p > 65535);
  if (spec.image.trim() === '') throw new ConvoyError('CONFIG_INVALID', `${where}: no image to deploy`);
  if (badPort(spec.port)) throw new ConvoyError('CONFIG_INVALID', `${where}: port ${spec.port} is not a TCP port`);
  if (badPort(spec.hostPort)) throw new ConvoyError('CONFIG_INVALID', `${where}: host port ${spec.hostPort} is not a TCP port`);
  if (spec.health !== null && !spec.health.startsWith('/')) {
    throw new ConvoyError('CONFIG_INVALID', `${where}: health path must start with '/': ${JSON.stringify(spec.health)}`);
  }
  if (spec.health !== null && spec.port === null) {
    throw new ConvoyError('CONFIG_INVALID', `${where}: an HTTP health path (${spec.health}) needs the service's port`);
  }
  if (spec.hostPort !== null && spec.port === null) {
    throw new ConvoyError('CONFIG_INVALID', `${where}: host port ${spec.hostPort} is configured but the service has no port to publish`);
  }
  for (const key of Object.keys(spec.env)) {
    if (key === '' || key.includes('=') || key.includes('\0')) {
      throw new ConvoyError('CONFIG_INVALID', `${where}: invalid environment variable name ${JSON.stringify(key)}`);
    }
  }
}

/** The last `count` non-empty lines of a text. */
export function lastLines(text: string, count: number): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-count).join('\n');
}
