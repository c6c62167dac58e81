import type { DockerStatus } from '../../../shared/domain.js';

export function DockerBadge({ docker }: { docker: DockerStatus | null }) {
  if (!docker) {
    return (
      <div className="badge pending" data-testid="docker-status">
        Docker Engine: checking…
      </div>
    );
  }
  if (docker.reachable) {
    return (
      <div className="badge ok" data-testid="docker-status" data-reachable="true" title={docker.endpoint}>
        <span className="dot" aria-hidden="true" />
        Docker Engine reachable{docker.version ? ` (${docker.version})` : ''}
      </div>
    );
  }
  return (
    <div className="badge bad" data-testid="docker-status" data-reachable="false" title={docker.endpoint}>
      <span className="dot" aria-hidden="true" />
      <span>
        Docker Engine not reachable
        {docker.error && <span className="badge-detail">{docker.error}</span>}
      </span>
    </div>
  );
}
