// Makes the deploy target for one environment of convoy.yaml (Kubernetes or the local Docker Engine).
// Features ask this port, so only the composition root decides which adapters exist.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LeaseKeeper } from '../lease.js';
import type { DeployTargetPort } from './deploy-target.js';

/** With `leases`, every change the target makes holds the environment's lease (electron/core/leased-target.ts). */
export type TargetFactory = (environment: EnvironmentConfig, workspaceRoot: string, leases?: LeaseKeeper) => DeployTargetPort;
