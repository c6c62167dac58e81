// `build.run`: builds and tests the affected (or named) projects on their own, outside a release.
// It ties the pieces together: the workspace graph and affected set, the projects' convoy blocks, the
// secrets Convoy knows, the core build stage, and the history store (a run of kind `build`, a `build`
// stage, a step per build and test, every redacted log line as a `build.log` event), and the passed
// tests it remembers (a test that passed with the same image ID, command, environment and timeout is
// not run again unless `rerunTests`). The release engine runs the same stage through the same function.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEST_TIMEOUT_SECONDS } from '../../../shared/config.js';
import type { BuildReport, WorkspaceProject } from '../../../shared/domain.js';
import { ConvoyError, toErrorPayload } from '../../../shared/errors.js';
import { prepareBuildRequests, type ProjectFacts } from '../../core/build-requests.js';
import { type BuildStageRecorder, runBuildStage } from '../../core/build-stage.js';
import type { EventSink } from '../../core/events.js';
import type { ConfigPort } from '../../core/ports/config.js';
import type { DockerEnginePort } from '../../core/ports/docker-engine.js';
import type { GitPort } from '../../core/ports/git.js';
import { createJournal } from '../../core/journal.js';
import type { EventStore, NewEvent } from '../../core/ports/event-store.js';
import type { RunStore } from '../../core/ports/run-store.js';
import type { TestResultStore } from '../../core/ports/test-results.js';
import type { ImageBuilderPort } from '../../core/ports/image-builder.js';
import type { Progress, WorkspacePort } from '../../core/ports/workspace.js';
import { createRedactionGate, type RedactionGate } from '../../core/redact.js';

export interface BuildRunInput {
  dir: string;
  /** Build exactly these projects; default: the affected projects that have something to build. */
  projects?: string[];
  base?: string;
  head?: string;
  uncommitted?: boolean;
  concurrency?: number;
  /** Run every test, also those the store remembers as passed. */
  rerunTests?: boolean;
}

export interface BuildRunDeps {
  workspace: WorkspacePort;
  builder: ImageBuilderPort;
  docker: DockerEnginePort;
  config: ConfigPort;
  git: Pick<GitPort, 'headCommit'>;
  store: RunStore & EventStore;
  /** Passed tests, remembered across runs (the app gives its store); without it every test runs. */
  testResults?: TestResultStore;
  events: EventSink;
  newId: () => string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** The app's redaction gate; it learns this workspace's secrets and redacts every log line. */
  redaction?: RedactionGate;
}

export interface BuildRunContext {
  progress?: Progress;
  signal?: AbortSignal;
  /** The contract job running this build; carried on build.log events. */
  jobId?: string;
}

/** Log lines are written to the store in bursts: at most this many lines, or this often. */
const LOG_FLUSH_LINES = 200;
const LOG_FLUSH_MS = 250;

function logWriter(store: EventStore, runId: string) {
  let pending: NewEvent<'build.log'>[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    store.appendEvents(batch);
  };
  return {
    add(project: string, phase: 'build' | 'test', line: string) {
      pending.push({ runId, name: 'build.log', payload: { project, phase, line } });
      if (pending.length >= LOG_FLUSH_LINES) flush();
      else timer ??= setTimeout(flush, LOG_FLUSH_MS);
    },
    flush,
  };
}

function selectProjects(projects: WorkspaceProject[], names: string[] | undefined, affected: string[] | null): WorkspaceProject[] {
  if (names && names.length > 0) {
    const byName = new Map(projects.map((p) => [p.name, p]));
    const unknown = names.filter((name) => !byName.has(name));
    if (unknown.length > 0) {
      const known = projects.map((p) => p.name).sort();
      throw new ConvoyError('INVALID_INPUT', `No project named ${unknown.join(', ')} in this workspace; its projects are: ${known.join(', ')}`);
    }
    return [...new Set(names)].map((name) => byName.get(name)!);
  }
  const wanted = new Set(affected ?? []);
  return projects.filter((p) => wanted.has(p.name));
}

export async function runBuild(input: BuildRunInput, deps: BuildRunDeps, ctx: BuildRunContext = {}): Promise<BuildReport> {
  const env = deps.env ?? process.env;
  const progress = ctx.progress ?? (() => {});
  const docker = await deps.docker.status();
  if (!docker.reachable) throw new ConvoyError('DOCKER_UNAVAILABLE', docker.error ?? `Docker Engine not reachable at ${docker.endpoint}`);

  progress('Reading the project graph');
  const graph = await deps.workspace.open(input.dir, { progress, signal: ctx.signal });
  let affected: string[] | null = null;
  let base: string | null = null;
  if (!input.projects || input.projects.length === 0) {
    const set = await deps.workspace.affected(
      { dir: input.dir, base: input.base, head: input.head, uncommitted: input.uncommitted },
      { progress, signal: ctx.signal },
    );
    affected = set.projects.map((p) => p.name);
    base = set.base;
  }
  const explicit = Boolean(input.projects && input.projects.length > 0);
  const { config } = deps.config.workspaceConfig(graph.root);

  const facts: ProjectFacts[] = [];
  for (const project of selectProjects(graph.projects, input.projects, affected)) {
    const setup = deps.config.projectSetup(graph.root, project);
    const ownDockerfile = path.join(graph.root, project.root, 'Dockerfile');
    if (setup === null) {
      // No convoy block: nothing to build unless the user named it or it has a Dockerfile.
      if (!explicit && !project.capabilities.buildable) continue;
      facts.push({ project: project.name, config: null, configError: null, contextDir: null, dockerfileExists: project.capabilities.buildable, dockerfilePath: ownDockerfile });
    } else if (!setup.ok) {
      facts.push({ project: project.name, config: null, configError: setup.error.toPayload(), contextDir: null, dockerfileExists: false, dockerfilePath: null });
    } else {
      const s = setup.setup;
      facts.push({
        project: project.name,
        config: s.config,
        configError: null,
        contextDir: s.contextDir,
        dockerfileExists: s.dockerfileExists,
        dockerfilePath: path.resolve(s.contextDir, s.config.dockerfile),
      });
    }
  }

  const runId = deps.newId();
  const commit = await deps.git.headCommit(graph.root);
  const created = (deps.now?.() ?? new Date()).toISOString();
  const prepared = prepareBuildRequests(facts, {
    env,
    secretNames: new Set(config.secrets.env),
    labels: {
      ...(commit ? { 'org.opencontainers.image.revision': commit } : {}),
      'org.opencontainers.image.created': created,
      'dev.convoy.release': runId,
    },
    defaultTestTimeoutSeconds: config.build.testTimeoutSeconds ?? DEFAULT_TEST_TIMEOUT_SECONDS,
  });
  // One gate for the whole app: the values marked secret, the workspace's declared and credential-shaped
  // values, registry auth and the kubeconfig files named by convoy.yaml's environments.
  const gate = deps.redaction ?? createRedactionGate(deps.config.knownSecrets(env, []));
  gate.add([...prepared.secrets, ...deps.config.workspaceSecrets(graph.root, config, env, graph.projects)]);
  const redact = gate.text;

  const names = facts.map((f) => f.project);
  deps.store.createRun({
    id: runId,
    kind: 'build',
    workspace: graph.root,
    base,
    head: commit,
    summary: names.length > 0 ? `build and test: ${names.join(', ')}` : 'build and test: nothing to build',
    status: 'running',
  });
  const stage = deps.store.startStage({ runId, name: 'build' });
  const logs = logWriter(deps.store, runId);
  const recorder: BuildStageRecorder = {
    journal: createJournal({ store: deps.store, runId, stageId: stage.id, redact }),
    log: (project, phase, line) => {
      logs.add(project, phase, line);
      deps.events.emit('build.log', { runId, jobId: ctx.jobId ?? null, project, phase, line });
    },
    layer: (project, imageId) => void deps.store.appendEvent(runId, 'docker.layer', { project, imageId }),
  };

  const concurrency = input.concurrency ?? config.build.concurrency ?? Math.max(1, os.availableParallelism());
  progress(names.length > 0 ? `Building ${names.length} project(s), ${concurrency} at a time` : 'Nothing to build', 0);
  let result;
  try {
    result = await runBuildStage(prepared.requests, {
      builder: deps.builder,
      redact,
      concurrency,
      signal: ctx.signal,
      progress,
      recorder,
      ...(deps.testResults ? { testResults: { store: deps.testResults, runId, rerun: input.rerunTests === true } } : {}),
    });
  } catch (err) {
    logs.flush();
    deps.store.finishStage(stage.id, 'failed');
    const error = toErrorPayload(err);
    deps.store.appendEvent(runId, 'build.failed', { error: { code: error.code, message: redact(error.message) } });
    deps.store.finishRun(runId, 'failed');
    throw err;
  }
  logs.flush();
  const cancelled = ctx.signal?.aborted === true;
  deps.store.finishStage(stage.id, result.ok ? 'succeeded' : cancelled ? 'cancelled' : 'failed');
  deps.store.finishRun(runId, result.ok ? 'succeeded' : cancelled ? 'cancelled' : 'failed');
  return { runId, ...result };
}
