// `workspace.*`: the Nx project graph of a folder, with what Convoy can do with each project.
import { z } from 'zod';
import { WorkspaceGraph } from '../domain.js';
import { Dir, NxChoice, job } from './define.js';

export const workspaceCommands = {
  'workspace.open': job(
    z.object({ dir: Dir, refresh: z.boolean().optional(), nx: NxChoice.optional() }).strict(),
    WorkspaceGraph,
  ),
} as const;

export const workspaceEvents = {
  'workspace.opened': z.object({ root: z.string(), projects: z.number().int(), cached: z.boolean() }),
} as const;
