import { useCallback, useRef, useState } from 'react';
import type { ConvoyClient, JobProgress } from '../../../shared/client.js';

/** Tracks one job at a time: its progress lines, its id (once known) and a cancel action. */
export function useJob(client: ConvoyClient) {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<JobProgress[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const current = useRef<string | null>(null);

  /** `start` gets the progress callback and the start callback to hand to client.run. */
  const run = useCallback(async <T,>(start: (onProgress: (p: JobProgress) => void, onStart: (jobId: string) => void) => Promise<T>): Promise<T> => {
    setRunning(true);
    setProgress([]);
    setJobId(null);
    current.current = null;
    try {
      return await start(
        // Keep the last few lines: a long job should not grow the page without end.
        (p) => setProgress((lines) => [...lines.slice(-7), p]),
        (id) => {
          current.current = id;
          setJobId(id);
        },
      );
    } finally {
      setRunning(false);
    }
  }, []);

  const cancel = useCallback(async () => {
    if (current.current) await client.call('job.cancel', { jobId: current.current });
  }, [client]);

  return { running, progress, jobId, run, cancel };
}
