// Dependency cycles in a project graph (Tarjan's strongly connected components), each reported as a
// closed path such as ['a', 'b', 'a'] so a person can see which edges to cut.
export interface CycleProject {
  name: string;
  dependencies: readonly string[];
}

export function findCycles(projects: readonly CycleProject[]): string[][] {
  const deps = new Map(projects.map((p) => [p.name, p.dependencies]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  // Iterative, so a deep chain of thousands of projects cannot overflow the call stack.
  for (const start of [...deps.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const edges = (deps.get(frame.node) ?? []).filter((d) => deps.has(d));
      if (frame.next < edges.length) {
        const target = edges[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (deps.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => closedPath(component, deps)).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** One concrete cycle through a strongly connected component, starting at its first name. */
function closedPath(component: string[], deps: Map<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  // Breadth-first from start back to start, inside the component: the shortest such cycle.
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const next of [...(deps.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let step = node; step !== start; step = parent.get(step) as string) path.push(parent.get(step) as string);
        return [...path.reverse(), start];
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
