import { useCallback, useRef, useState } from 'react';
import type { ConvoyClient, JobProgress } from '../../../shared/client.js';

/** Tracks one job at a time: its progress lines, its id (once known) and a cancel action. */
export function useJob(client: ConvoyClient) {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<JobProgress[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const current = useRef<string | null>(null);

  const run = useCallback(async <T,>(start: (onProgress: (p: JobProgress) => void) => Promise<T>): Promise<T> => {
    setRunning(true);
    setProgress([]);
    setJobId(null);
    current.current = null;
    try {
      return await start((p) => {
        if (current.current === null) {
          current.current = p.jobId;
          setJobId(p.jobId);
        }
        // Keep the last few lines: a long job should not grow the page without end.
        setProgress((lines) => [...lines.slice(-7), p]);
      });
    } finally {
      setRunning(false);
    }
  }, []);

  const cancel = useCallback(async () => {
    if (current.current) await client.call('job.cancel', { jobId: current.current });
  }, [client]);

  return { running, progress, jobId, run, cancel };
}
