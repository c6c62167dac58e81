// `history.*`: what Convoy has done, read from the store.
import { z } from 'zod';
import { ReleaseSummary } from '../domain.js';
import { ReleaseReport } from '../release-report.js';
import { query } from './define.js';

export const historyCommands = {
  'history.list': query(
    z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
    z.object({ releases: z.array(ReleaseSummary) }),
  ),
  /** One release's full record (running or finished): stages, images, gates, approvals, deploys, rollbacks. */
  'history.get': query(z.object({ id: z.string().min(1).max(128) }).strict(), ReleaseReport),
} as const;

export const historyEvents = {} as const;
