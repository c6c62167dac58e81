// Makes the deploy target for one environment of convoy.yaml (Kubernetes or the local Docker Engine).
// Features ask this port, so only the composition root decides which adapters exist.
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { LeaseKeeper } from '../lease.js';
import type { RedactionGate } from '../redact.js';
import type { DeployTargetPort } from './deploy-target.js';

/**
 * With `leases`, every change the target makes holds the environment's lease (electron/core/leased-target.ts);
 * with a redaction `gate`, everything it answers passes the gate, which learns the workspace's secrets.
 */
export type TargetFactory = (
  environment: EnvironmentConfig,
  workspaceRoot: string,
  leases?: LeaseKeeper,
  gate?: RedactionGate,
  env?: Readonly<Record<string, string | undefined>>,
) => DeployTargetPort;
