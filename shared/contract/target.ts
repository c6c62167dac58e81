// `target.*`: one environment of convoy.yaml outside a release — what runs there, a service's
// revisions, and a rollback of one service.
import { z } from 'zod';
import { EnvironmentStatus, ServiceRollback, TargetRevision } from '../domain.js';
import { Dir, EnvName, ServiceName, job } from './define.js';

export const targetCommands = {
  /** What runs in an environment of convoy.yaml: state, revision and image per service. */
  'target.status': job(
    z.object({ dir: Dir, environment: EnvName, services: z.array(ServiceName).max(1000).optional() }).strict(),
    EnvironmentStatus,
  ),
  /** A service's revisions in an environment, newest first. */
  'target.revisions': job(
    z.object({ dir: Dir, environment: EnvName, service: ServiceName }).strict(),
    z.object({ environment: z.string(), service: z.string(), revisions: z.array(TargetRevision) }),
  ),
  /** Rolls one service back to a revision (default: the previous one), as `kubectl rollout undo` does. */
  'target.rollback': job(
    z.object({ dir: Dir, environment: EnvName, service: ServiceName, toRevision: z.string().min(1).max(64).optional() }).strict(),
    ServiceRollback,
  ),
} as const;

export const targetEvents = {} as const;
