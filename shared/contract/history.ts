// `history.*`: what Convoy has done, read from the store.
import { z } from 'zod';
import { ReleaseReport } from '../release-report.js';
import { RunSummary } from '../runs.js';
import { query } from './define.js';

export const historyCommands = {
  /** Runs newest first: builds, releases, rollbacks and drills, each with its kind. */
  'history.list': query(
    z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
    z.object({ runs: z.array(RunSummary) }),
  ),
  /** One release's full record (running or finished): stages, images, gates, approvals, deploys, rollbacks. */
  'history.get': query(z.object({ id: z.string().min(1).max(128) }).strict(), ReleaseReport),
} as const;

export const historyEvents = {} as const;
