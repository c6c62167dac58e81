// An in-memory DockerEnginePort: reachable by default, or unreachable with the message the real
// adapter gives, so services can be tested on both sides of the check without an engine.
import type { DockerStatus } from '../../shared/domain.js';
import type { DockerEnginePort } from '../../electron/core/ports/docker-engine.js';

export class FakeDockerEngine implements DockerEnginePort {
  constructor(private readonly state: DockerStatus = { reachable: true, endpoint: 'unix:///fake/docker.sock', version: '27.0.0-fake', error: null }) {}

  static unreachable(endpoint = 'unix:///fake/docker.sock'): FakeDockerEngine {
    return new FakeDockerEngine({
      reachable: false,
      endpoint,
      version: null,
      error: `Docker Engine not reachable at ${endpoint} — start Docker or set DOCKER_HOST`,
    });
  }

  async status(): Promise<DockerStatus> {
    return { ...this.state };
  }
}
