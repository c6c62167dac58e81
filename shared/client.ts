// A typed client over any Channel: the renderer, the CLI and the tests all talk to the core through it.
import {
  type CallResult,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
  type JobName,
  type QueryName,
  commands,
  events,
  isEventName,
} from './contract.js';
import type { Channel } from './channel.js';
import { ConvoyError, type ErrorPayload, isErrorCode } from './errors.js';

export type JobProgress = EventPayload<'job.progress'>;

export interface ConvoyClient {
  /** Runs a query and returns its validated output; throws ConvoyError on failure. */
  call<K extends QueryName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
  /**
   * Runs a job to its end, reporting progress; throws ConvoyError on failure. `onStart` gets the job's
   * id as soon as it is known (before any of its events), for job.cancel and for following its events.
   */
  run<K extends JobName>(
    name: K,
    input: CommandInput<K>,
    onProgress?: (progress: JobProgress) => void,
    onStart?: (jobId: string) => void,
  ): Promise<CommandOutput<K>>;
  /** Starts a job and returns its id at once. */
  start<K extends JobName>(name: K, input: CommandInput<K>): Promise<string>;
  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void;
  /** Sends anything, unchecked: for callers that relay untrusted input, and for tests of the receiving end. */
  raw(name: string, input: unknown): Promise<CallResult<unknown>>;
  /** Stops listening; runs still waiting for their job fail, as later calls do. */
  close(): void;
}

function fail(error: ErrorPayload): never {
  throw new ConvoyError(error.code, error.message);
}

export function createClient(channel: Channel): ConvoyClient {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  // job.finished can overtake the reply that carries the job id, so finished jobs wait here.
  const finished = new Map<string, EventPayload<'job.finished'>>();
  const waiting = new Map<string, { resolve: (event: EventPayload<'job.finished'>) => void; reject: (err: Error) => void }>();
  // Set once the connection (or this client) has ended: every waiting run fails with it, as does every later call.
  let ended: ConvoyError | null = null;

  function end(error: ConvoyError): void {
    if (ended) return;
    ended = error;
    unsubscribe();
    offClose();
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    finished.clear();
  }

  const unsubscribe = channel.onEvent((name, payload) => {
    if (!isEventName(name)) return;
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) return;
    if (name === 'job.finished') {
      const event = parsed.data as EventPayload<'job.finished'>;
      const waiter = waiting.get(event.jobId);
      if (waiter) waiter.resolve(event);
      else {
        finished.set(event.jobId, event);
        // Jobs started by other clients finish here too; keep only the most recent few.
        if (finished.size > 256) finished.delete(finished.keys().next().value as string);
      }
    }
    for (const handler of handlers.get(name) ?? []) handler(parsed.data);
  });

  // A channel may report the close at once (already closed), before `offClose` is assigned.
  let offClose: () => void = () => {};
  const off =
    channel.onClose?.((error) =>
      end(
        error instanceof ConvoyError
          ? error
          : new ConvoyError(isErrorCode(error.code) ? error.code : 'INTERNAL', String(error.message || 'The connection closed')),
      ),
    ) ?? (() => {});
  if (ended) off();
  else offClose = off;

  async function invoke(name: CommandName, input: unknown): Promise<unknown> {
    if (ended) throw ended;
    const result = await channel.invoke(name, input);
    if (!result.ok) fail(result.error);
    return result.output;
  }

  function on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
    const set = handlers.get(name) ?? new Set();
    set.add(handler as (payload: unknown) => void);
    handlers.set(name, set);
    return () => set.delete(handler as (payload: unknown) => void);
  }

  async function start<K extends JobName>(name: K, input: CommandInput<K>): Promise<string> {
    const output = (await invoke(name, input)) as { jobId: string };
    return output.jobId;
  }

  return {
    async call(name, input) {
      const output = await invoke(name, input);
      return commands[name].output.parse(output) as never;
    },
    async run(name, input, onProgress, onStart) {
      let jobId: string | null = null;
      const early: JobProgress[] = [];
      const off = on('job.progress', (progress) => {
        if (jobId === null) early.push(progress);
        else if (progress.jobId === jobId) onProgress?.(progress);
      });
      try {
        jobId = await start(name, input);
        onStart?.(jobId);
        for (const progress of early) if (progress.jobId === jobId) onProgress?.(progress);
        const id = jobId;
        const event = await new Promise<EventPayload<'job.finished'>>((resolve, reject) => {
          const done = finished.get(id);
          if (done) {
            finished.delete(id);
            resolve(done);
          } else if (ended) reject(ended);
          else waiting.set(id, { resolve, reject });
        });
        waiting.delete(id);
        if (!event.ok) fail(event.error);
        return commands[name].output.parse(event.output) as never;
      } finally {
        off();
      }
    },
    start,
    on,
    async raw(name, input) {
      if (ended) throw ended;
      return channel.invoke(name, input);
    },
    close() {
      end(new ConvoyError('INTERNAL', 'This Convoy client was closed'));
    },
  };
}
