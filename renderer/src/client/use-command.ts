// One hook for the sequence every screen repeats: check the form, run a command (a query, or a job
// with its progress and id), keep its output, or say what went wrong. A screen writes the check as a
// pure function that returns the command's input or `refuse(message)`.
import { useCallback, useRef, useState } from 'react';
import type { JobProgress } from '../../../shared/client.js';
import { type CommandInput, type CommandName, type CommandOutput, type JobName, type QueryName, commands } from '../../../shared/contract.js';
import { errorCode, errorMessage } from '../ui/format.js';
import { useClient } from './client-context.js';

/** A form that cannot be sent yet, with what the person has to do. */
export interface Refusal {
  refused: string;
}

export function refuse(message: string): Refusal {
  return { refused: message };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && typeof (value as Refusal).refused === 'string';
}

/** What a screen shows about one command. */
export interface CommandState<K extends CommandName> {
  running: boolean;
  /** The last few progress lines of the running (or last) job. */
  progress: JobProgress[];
  jobId: string | null;
  output: CommandOutput<K> | null;
  error: string | null;
  errorCode: string | null;
  /** Increases with every attempt across all commands, so a screen can tell which attempt was last. */
  attempt: number;
}

export interface Command<K extends CommandName> extends CommandState<K> {
  /** Runs the command unless the input is a refusal; resolves to the output, or null when refused or failed. */
  run(input: CommandInput<K> | Refusal): Promise<CommandOutput<K> | null>;
  /** Asks the core to cancel the running job (job.cancel). */
  cancel(): Promise<void>;
  /** True for the id of this hook's running job: for following that job's own events. */
  isCurrentJob(jobId: string | null): boolean;
}

/** Progress lines kept: a long job should not grow the page without end. */
const PROGRESS_LINES = 8;

let attempts = 0;

const IDLE = { running: false, progress: [], jobId: null, output: null, error: null, errorCode: null, attempt: 0 };

export function useCommand<K extends CommandName>(name: K, options: { onStart?: (jobId: string) => void } = {}): Command<K> {
  const client = useClient();
  const [state, setState] = useState<CommandState<K>>(IDLE);
  const currentJob = useRef<string | null>(null);
  const latest = useRef(0);
  const onStart = useRef(options.onStart);
  onStart.current = options.onStart;

  const run = useCallback(
    async (input: CommandInput<K> | Refusal): Promise<CommandOutput<K> | null> => {
      const attempt = ++attempts;
      latest.current = attempt;
      // Only the newest attempt of this hook may write its state.
      const update = (change: (old: CommandState<K>) => CommandState<K>) => {
        if (latest.current === attempt) setState(change);
      };
      if (isRefusal(input)) {
        setState({ ...IDLE, error: input.refused, attempt });
        return null;
      }
      setState({ ...IDLE, running: true, attempt });
      currentJob.current = null;
      try {
        const output =
          commands[name].kind === 'job'
            ? await client.run(
                name as JobName,
                input as CommandInput<JobName>,
                (p) => update((old) => ({ ...old, progress: [...old.progress.slice(-(PROGRESS_LINES - 1)), p] })),
                (jobId) => {
                  currentJob.current = jobId;
                  onStart.current?.(jobId);
                  update((old) => ({ ...old, jobId }));
                },
              )
            : await client.call(name as QueryName, input as CommandInput<QueryName>);
        update((old) => ({ ...old, running: false, output: output as CommandOutput<K> }));
        return output as CommandOutput<K>;
      } catch (err) {
        update((old) => ({ ...old, running: false, error: errorMessage(err), errorCode: errorCode(err) }));
        return null;
      } finally {
        if (latest.current === attempt) currentJob.current = null;
      }
    },
    [client, name],
  );

  const cancel = useCallback(async () => {
    if (currentJob.current) await client.call('job.cancel', { jobId: currentJob.current });
  }, [client]);

  const isCurrentJob = useCallback((jobId: string | null) => jobId !== null && jobId === currentJob.current, []);

  return { ...state, run, cancel, isCurrentJob };
}
