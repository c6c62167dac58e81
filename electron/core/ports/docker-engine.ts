import type { DockerStatus } from '../../../shared/domain.js';

/** The slice of the Docker Engine the frame needs; builds and the staging target extend it later. */
export interface DockerEnginePort {
  status(): Promise<DockerStatus>;
}
