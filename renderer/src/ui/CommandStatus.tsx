// The line under a screen's form: the running command's latest progress message, and the error of the
// screen's latest attempt. Test ids are `<testId>-progress` and `<testId>-error`.
import type { CommandState } from '../client/use-command.js';
import type { CommandName } from '../../../shared/contract.js';

interface CommandStatusProps {
  /** The screen's commands; the one started last decides what is shown. */
  of: ReadonlyArray<CommandState<CommandName>>;
  testId: string;
}

export function CommandStatus({ of, testId }: CommandStatusProps) {
  const last = of.reduce<CommandState<CommandName> | null>((best, c) => (!best || c.attempt > best.attempt ? c : best), null);
  const line = last?.running ? last.progress[last.progress.length - 1]?.message : undefined;
  return (
    <>
      {line !== undefined && (
        <p className="muted" data-testid={`${testId}-progress`} aria-live="polite">
          {line}
        </p>
      )}
      {last?.error && (
        <p className="error-text" role="alert" data-testid={`${testId}-error`}>
          {last.error}
        </p>
      )}
    </>
  );
}
