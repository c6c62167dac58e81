// The one contract between the core and every client: commands `domain.verb → {input, output}`
// and events `domain.event → payload`. Every transport carries exactly these, validated on arrival.
import { z } from 'zod';
import { AffectedSet, AppInfo, BuildReport, EnvironmentStatus, ReleaseSummary, ServiceRollback, TargetRevision, WorkspaceGraph } from './domain.js';
import { ErrorPayload } from './errors.js';

/** Largest command or event message a transport accepts, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

const GitRef = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\s\x00-\x1f\x7f]+$/, 'a git revision has no spaces or control characters')
  .refine((ref) => !ref.startsWith('-'), 'a git revision may not start with "-"');

const Dir = z.string().min(1).max(4096);
const EnvName = z.string().min(1).max(64);
const ServiceName = z.string().min(1).max(256);

const NxChoice = z.enum(['workspace', 'bundled']);

const RelFile = z
  .string()
  .min(1)
  .max(4096)
  .refine((file) => !file.startsWith('/') && !file.split(/[\\/]/).includes('..'), 'a path inside the workspace, relative to its root');

/** The option pairs `nx show projects --affected` refuses as mutually exclusive (its yargs `conflicts`). */
const NX_CONFLICTS: Array<[string, string, string]> = [
  ['uncommitted', 'base', '--uncommitted compares the working tree with HEAD, so it takes no base'],
  ['uncommitted', 'head', '--uncommitted compares the working tree with HEAD, so it takes no head'],
  ['untracked', 'base', '--untracked takes the untracked files alone, so it takes no base'],
  ['untracked', 'head', '--untracked takes the untracked files alone, so it takes no head'],
  ['uncommitted', 'untracked', 'each names its own set of files'],
  ['files', 'base', '--files names the touched files itself, so it takes no base'],
  ['files', 'head', '--files names the touched files itself, so it takes no head'],
  ['files', 'uncommitted', 'each names its own set of files'],
  ['files', 'untracked', 'each names its own set of files'],
];

/**
 * Nx's argument rules for affected: the conflicts above, and `--head` only with `--base` (yargs
 * `implies`). Refused here, at every transport, with what to drop.
 */
function refuseWhatNxRefuses(input: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const given = (key: string) => input[key] !== undefined && input[key] !== false;
  for (const [a, b, why] of NX_CONFLICTS) {
    if (given(a) && given(b)) {
      ctx.addIssue({ code: 'custom', path: [b], message: `${a} and ${b} cannot be combined (nx refuses them too: ${why}) — drop one of them` });
    }
  }
  if (given('head') && !given('base')) {
    ctx.addIssue({ code: 'custom', path: ['head'], message: 'head needs a base, as in nx (--head implies --base) — give base too' });
  }
}

/** A query answers directly; a job answers `{ jobId }` at once and reports through job events. */
type Kind = 'query' | 'job';

function query<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { kind: 'query' as const satisfies Kind, input, output };
}
function job<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { kind: 'job' as const satisfies Kind, input, output };
}

export const commands = {
  'app.info': query(z.object({}).strict(), AppInfo),
  'workspace.open': job(
    z.object({ dir: Dir, refresh: z.boolean().optional(), nx: NxChoice.optional() }).strict(),
    WorkspaceGraph,
  ),
  'affected.compute': job(
    z
      .object({
        dir: Dir,
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Only untracked files count (nx --untracked). */
        untracked: z.boolean().optional(),
        /** Exactly these files count (nx --files), relative to the workspace root. */
        files: z.array(RelFile).min(1).max(10_000).optional(),
        /** Answer even when the graph has a dependency cycle (otherwise GRAPH_CYCLE). */
        allowCycles: z.boolean().optional(),
        /** Which nx reads the workspace (default: convoy.yaml's `nx`, else the workspace's own). */
        nx: NxChoice.optional(),
      })
      .strict()
      .superRefine(refuseWhatNxRefuses),
    AffectedSet,
  ),
  'build.run': job(
    z
      .object({
        dir: Dir,
        /** Build exactly these projects; default: the affected projects that have something to build. */
        projects: z.array(z.string().min(1).max(256)).max(1000).optional(),
        base: GitRef.optional(),
        head: GitRef.optional(),
        uncommitted: z.boolean().optional(),
        /** Parallel builds; default: convoy.yaml's build.concurrency, else the CPU count. */
        concurrency: z.number().int().min(1).max(64).optional(),
      })
      .strict(),
    BuildReport,
  ),
  /** What runs in an environment of convoy.yaml: state, revision and image per service. */
  'target.status': job(
    z.object({ dir: Dir, environment: EnvName, services: z.array(ServiceName).max(1000).optional() }).strict(),
    EnvironmentStatus,
  ),
  /** A service's revisions in an environment, newest first. */
  'target.revisions': job(
    z.object({ dir: Dir, environment: EnvName, service: ServiceName }).strict(),
    z.object({ environment: z.string(), service: z.string(), revisions: z.array(TargetRevision) }),
  ),
  /** Rolls one service back to a revision (default: the previous one), as `kubectl rollout undo` does. */
  'target.rollback': job(
    z.object({ dir: Dir, environment: EnvName, service: ServiceName, toRevision: z.string().min(1).max(64).optional() }).strict(),
    ServiceRollback,
  ),
  'history.list': query(
    z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
    z.object({ releases: z.array(ReleaseSummary) }),
  ),
  'job.cancel': query(z.object({ jobId: z.string().min(1).max(64) }).strict(), z.object({ cancelled: z.boolean() })),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type QueryName = { [K in CommandName]: Commands[K]['kind'] extends 'query' ? K : never }[CommandName];
export type JobName = { [K in CommandName]: Commands[K]['kind'] extends 'job' ? K : never }[CommandName];
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type ParsedInput<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;

export const JobStarted = z.object({ jobId: z.string() });
export type JobStarted = z.infer<typeof JobStarted>;

/** What a command call answers on the wire: a query's output, or `{ jobId }` for a job. */
export type WireOutput<K extends CommandName> = Commands[K]['kind'] extends 'job' ? JobStarted : CommandOutput<K>;

export const events = {
  'job.progress': z.object({
    jobId: z.string(),
    command: z.string(),
    message: z.string(),
    /** 0..1 when the work knows how far along it is. */
    fraction: z.number().min(0).max(1).nullable(),
  }),
  'job.finished': z.discriminatedUnion('ok', [
    z.object({ jobId: z.string(), command: z.string(), ok: z.literal(true), output: z.unknown() }),
    z.object({ jobId: z.string(), command: z.string(), ok: z.literal(false), error: ErrorPayload }),
  ]),
  /** One redacted line of a build or test log. */
  'build.log': z.object({
    runId: z.string(),
    /** The job that runs the build (null outside a job), so a client can follow its own run. */
    jobId: z.string().nullable(),
    project: z.string(),
    phase: z.enum(['build', 'test']),
    line: z.string(),
  }),
  'workspace.opened': z.object({ root: z.string(), projects: z.number().int(), cached: z.boolean() }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.infer<Events[K]>;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The result of one command call, as every transport returns it. */
export type CallResult<T> = { ok: true; output: T } | { ok: false; error: ErrorPayload };
