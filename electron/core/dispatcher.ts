// One dispatcher behind every transport: validates input at the receiving end, runs the handler,
// and answers a typed result. Jobs answer their id at once and report through events.
import {
  type CallResult,
  type CommandName,
  type CommandOutput,
  type JobName,
  type ParsedInput,
  type QueryName,
  MAX_MESSAGE_BYTES,
  commands,
  isCommandName,
} from '../../shared/contract.js';
import { ConvoyError, describeIssues, toErrorPayload } from '../../shared/errors.js';
import type { EventSink } from './events.js';

export type TransportName = 'in-process' | 'websocket' | 'ipc';

export interface CallContext {
  transport: TransportName;
}

export interface JobContext extends CallContext {
  jobId: string;
  signal: AbortSignal;
  progress(message: string, fraction?: number | null): void;
}

/** Queries the dispatcher answers itself. */
type BuiltinQuery = 'job.cancel';

export type Handlers = {
  [K in Exclude<QueryName, BuiltinQuery>]: (input: ParsedInput<K>, ctx: CallContext) => Promise<CommandOutput<K>> | CommandOutput<K>;
} & {
  [K in JobName]: (input: ParsedInput<K>, ctx: JobContext) => Promise<CommandOutput<K>>;
};

/**
 * The handlers one feature serves: those of the commands its contract module declares, e.g.
 * `FeatureHandlers<keyof typeof buildCommands>`. electron/app.ts joins every feature's into `Handlers`.
 */
export type FeatureHandlers<Names extends PropertyKey> = Pick<Handlers, Extract<Names, keyof Handlers>>;

export interface DispatcherOptions {
  handlers: Handlers;
  events: EventSink;
  newId: () => string;
  maxMessageBytes?: number;
  /** The redaction gate: every answer, error and job result passes it (secrets never cross a transport). */
  redact?: <T>(value: T) => T;
}

export interface Dispatcher {
  dispatch(name: unknown, input: unknown, ctx: CallContext): Promise<CallResult<unknown>>;
  /** Jobs still running, by id. */
  running(): string[];
  /** Resolves when every running job has finished (for orderly shutdown and tests). */
  idle(): Promise<void>;
}

export function byteLength(value: unknown): number {
  const text = JSON.stringify(value ?? null) ?? '';
  return new TextEncoder().encode(text).length;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const jobs = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const redact = options.redact ?? (<T>(value: T) => value);
  const errorOf = (err: unknown) => redact(toErrorPayload(err));

  function validateOutput(name: CommandName, output: unknown): unknown {
    const parsed = commands[name].output.safeParse(output);
    if (!parsed.success) {
      throw new ConvoyError('INTERNAL', `${name} produced an invalid answer: ${describeIssues(parsed.error.issues)}`);
    }
    return parsed.data;
  }

  function startJob(name: JobName, input: unknown, ctx: CallContext): string {
    const jobId = options.newId();
    const controller = new AbortController();
    const handler = options.handlers[name] as (input: unknown, ctx: JobContext) => Promise<unknown>;
    const jobCtx: JobContext = {
      ...ctx,
      jobId,
      signal: controller.signal,
      progress(message, fraction = null) {
        options.events.emit('job.progress', { jobId, command: name, message: redact(message), fraction });
      },
    };
    // Handlers start on the next turn so the caller always holds the id before any event about it.
    const done = Promise.resolve()
      .then(() => handler(input, jobCtx))
      .then(
        (output) => {
          options.events.emit('job.finished', { jobId, command: name, ok: true, output: redact(validateOutput(name, output)) });
        },
        (err: unknown) => {
          const error = controller.signal.aborted
            ? { code: 'CANCELLED' as const, message: `${name} was cancelled` }
            : errorOf(err);
          options.events.emit('job.finished', { jobId, command: name, ok: false, error });
        },
      )
      .catch((err: unknown) => {
        options.events.emit('job.finished', { jobId, command: name, ok: false, error: errorOf(err) });
      })
      .finally(() => jobs.delete(jobId));
    jobs.set(jobId, { controller, done });
    return jobId;
  }

  const builtins = {
    'job.cancel': (input: ParsedInput<'job.cancel'>) => {
      const job = jobs.get(input.jobId);
      if (!job) return { cancelled: false };
      job.controller.abort();
      return { cancelled: true };
    },
  };

  return {
    async dispatch(name, input, ctx) {
      try {
        if (!isCommandName(name)) {
          const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name;
          throw new ConvoyError('UNKNOWN_COMMAND', `Unknown command ${shown}. Known commands: ${Object.keys(commands).join(', ')}`);
        }
        if (byteLength(input) > maxBytes) {
          throw new ConvoyError('MESSAGE_TOO_LARGE', `Input for ${name} is larger than ${maxBytes} bytes`);
        }
        const spec = commands[name];
        const parsed = spec.input.safeParse(input ?? {});
        if (!parsed.success) {
          throw new ConvoyError('INVALID_INPUT', `Invalid input for ${name}: ${describeIssues(parsed.error.issues)}`);
        }
        if (spec.kind === 'job') {
          return { ok: true, output: { jobId: startJob(name as JobName, parsed.data, ctx) } };
        }
        const handler =
          name in builtins
            ? builtins[name as keyof typeof builtins]
            : (options.handlers[name as Exclude<QueryName, BuiltinQuery>] as (input: unknown, ctx: CallContext) => unknown);
        const output = await (handler as (input: unknown, ctx: CallContext) => unknown)(parsed.data, ctx);
        return { ok: true, output: redact(validateOutput(name, output)) };
      } catch (err) {
        return { ok: false, error: errorOf(err) };
      }
    },
    running: () => [...jobs.keys()],
    async idle() {
      while (jobs.size > 0) await Promise.all([...jobs.values()].map((job) => job.done));
    },
  };
}
