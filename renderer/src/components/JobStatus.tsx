// The line under a job's form: its latest progress message while it runs, and its error once it failed.
// Test ids are `<testId>-progress` and `<testId>-error`.
import type { JobProgress } from '../../../shared/client.js';

interface JobStatusProps {
  running: boolean;
  progress: JobProgress[];
  error: string | null;
  testId: string;
}

export function JobStatus({ running, progress, error, testId }: JobStatusProps) {
  return (
    <>
      {running && progress.length > 0 && (
        <p className="muted" data-testid={`${testId}-progress`} aria-live="polite">
          {progress[progress.length - 1]?.message}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </>
  );
}
