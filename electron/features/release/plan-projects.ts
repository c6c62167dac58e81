// What the planner needs to know of every project of the graph: its convoy block (read once) and,
// from it, whether it deploys and what it must follow. Shared by `release.plan`, `release.diff` and
// the release itself, so all three order services the same way.
import type { WorkspaceGraph } from '../../../shared/domain.js';
import type { ConfigPort, ProjectSetup } from '../../core/ports/config.js';
import type { PlanProject } from '../../core/release/plan.js';

export interface PlanProjects {
  setups: Map<string, ProjectSetup>;
  projects: PlanProject[];
}

export function planProjects(graph: Pick<WorkspaceGraph, 'root' | 'projects'>, config: Pick<ConfigPort, 'projectSetup'>): PlanProjects {
  const setups = new Map<string, ProjectSetup>();
  for (const project of graph.projects) {
    const result = config.projectSetup(graph.root, project);
    if (result === null) continue;
    // A broken block could hide a deployable or a deployAfter, so the order would be a guess.
    if (!result.ok) throw result.error;
    setups.set(project.name, result.setup);
  }
  const projects: PlanProject[] = graph.projects.map((p) => {
    const setup = setups.get(p.name);
    return { name: p.name, dependencies: p.dependencies, deployable: setup?.dockerfileExists === true, deployAfter: setup?.config.deployAfter ?? [] };
  });
  return { setups, projects };
}
