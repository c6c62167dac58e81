// `history.*`: what Convoy has done, read from the store.
import { z } from 'zod';
import { RunSummary } from '../runs.js';
import { query } from './define.js';

export const historyCommands = {
  /** Runs newest first: builds, releases, rollbacks and drills, each with its kind. */
  'history.list': query(
    z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
    z.object({ runs: z.array(RunSummary) }),
  ),
} as const;

export const historyEvents = {} as const;
