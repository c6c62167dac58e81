// The one contract between the core and every client: commands `domain.verb → {input, output}`
// and events `domain.event → payload`. Every transport carries exactly these, validated on arrival.
// Each feature declares its own commands and events in shared/contract/<feature>.ts; this file
// assembles them, so every caller imports the contract from one place.
import type { z } from 'zod';
import { affectedCommands, affectedEvents } from './contract/affected.js';
import { appCommands, appEvents } from './contract/app.js';
import { buildCommands, buildEvents } from './contract/build.js';
import { historyCommands, historyEvents } from './contract/history.js';
import { releaseCommands, releaseEvents } from './contract/release.js';
import { recoverCommands, recoverEvents } from './contract/recover.js';
import { JobStarted, jobCommands, jobEvents } from './contract/job.js';
import { targetCommands, targetEvents } from './contract/target.js';
import { workspaceCommands, workspaceEvents } from './contract/workspace.js';
import type { ErrorPayload } from './errors.js';

export { JobStarted };
export type { ReleaseDiffReport, ReleasePlan, ReleasePlanReport } from './contract/release.js';
export type { ReleaseReport } from './release-report.js';

/** Largest command or event message a transport accepts, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const commands = {
  ...appCommands,
  ...workspaceCommands,
  ...affectedCommands,
  ...buildCommands,
  ...targetCommands,
  ...historyCommands,
  ...releaseCommands,
  ...recoverCommands,
  ...jobCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type QueryName = { [K in CommandName]: Commands[K]['kind'] extends 'query' ? K : never }[CommandName];
export type JobName = { [K in CommandName]: Commands[K]['kind'] extends 'job' ? K : never }[CommandName];
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type ParsedInput<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;

/** What a command call answers on the wire: a query's output, or `{ jobId }` for a job. */
export type WireOutput<K extends CommandName> = Commands[K]['kind'] extends 'job' ? JobStarted : CommandOutput<K>;

export const events = {
  ...jobEvents,
  ...buildEvents,
  ...workspaceEvents,
  ...appEvents,
  ...affectedEvents,
  ...targetEvents,
  ...historyEvents,
  ...releaseEvents,
  ...recoverEvents,
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
