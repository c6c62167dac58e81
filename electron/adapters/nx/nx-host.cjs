'use strict';
// The Nx host: one child process per workspace, started with cwd and NX_WORKSPACE_ROOT_PATH set to
// the workspace root. It is the only place that reaches into Nx's internals (deep imports move
// between Nx versions), and it keeps Nx's work off the caller's thread.
//
// Protocol (process.send / 'message'): { id, op: 'graph' | 'touched', ...args } → { id, ok, value | error }.
const fs = require('node:fs');
const path = require('node:path');
const { adapterFor } = require('./nx-host-versions.cjs');

const root = process.env.NX_WORKSPACE_ROOT_PATH;
const nxDir = process.env.CONVOY_NX_DIR;

const nxVersion = readJson(path.join(nxDir, 'package.json'))?.version ?? 'unknown';
let adapter = null;

/** This nx's adapter (nx-host-versions.cjs), loaded on first use so an unsupported nx fails a call, not the host. */
function nx() {
  if (!adapter) adapter = adapterFor(nxDir, nxVersion);
  return adapter;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

let graphPromise = null;

function loadGraph() {
  if (!graphPromise) {
    graphPromise = nx().createProjectGraphAsync({ exitOnError: false, resetDaemonClient: false });
    graphPromise.catch(() => {
      graphPromise = null;
    });
  }
  return graphPromise;
}

const TYPES = { app: 'application', lib: 'library', e2e: 'e2e' };

function exists(file) {
  try {
    fs.accessSync(file);
    return true;
  } catch {
    return false;
  }
}

/** What Convoy can do with a project: build it (Dockerfile), deploy it (deploy/ or convoy config), test it. */
function capabilities(projectRoot) {
  const abs = path.join(root, projectRoot);
  const pkg = readJson(path.join(abs, 'package.json'));
  const convoy = pkg && typeof pkg.convoy === 'object' && pkg.convoy ? pkg.convoy : {};
  const dockerfile = exists(path.join(abs, 'Dockerfile')) ? path.posix.join(projectRoot, 'Dockerfile') : null;
  const manifests = exists(path.join(abs, 'deploy')) ? path.posix.join(projectRoot, 'deploy') : null;
  const test = Array.isArray(convoy.test) && convoy.test.every((part) => typeof part === 'string') ? convoy.test : null;
  return {
    dockerfile,
    manifests,
    test,
    buildable: dockerfile !== null,
    deployable: dockerfile !== null && (manifests !== null || typeof convoy.deploy === 'object'),
  };
}

async function graphOp() {
  const graph = await loadGraph();
  const names = Object.keys(graph.nodes).sort();
  const projects = names.map((name) => {
    const node = graph.nodes[name];
    const deps = (graph.dependencies[name] || [])
      .map((dep) => dep.target)
      .filter((target) => Object.prototype.hasOwnProperty.call(graph.nodes, target));
    return {
      name,
      root: node.data.root,
      type: TYPES[node.type] || 'unknown',
      tags: Array.isArray(node.data.tags) ? node.data.tags : [],
      dependencies: [...new Set(deps)].sort(),
      capabilities: capabilities(node.data.root),
    };
  });
  return {
    nxVersion,
    projects,
  };
}

/**
 * Nx's locators name external nodes (npm:zod) for dependency changes: a root package.json version,
 * a lockfile with projectsAffectedByDependencyUpdates "auto". Nx's reverse walk carries them to the
 * projects depending on them, through other external nodes; Convoy's graph holds projects only, so
 * the touched projects are the first projects that walk reaches.
 */
function projectsReached(graph, names) {
  const dependents = new Map();
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    for (const { target } of deps) {
      if (!dependents.has(target)) dependents.set(target, []);
      dependents.get(target).push(source);
    }
  }
  const projects = new Set();
  const seen = new Set();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    if (Object.prototype.hasOwnProperty.call(graph.nodes, name)) projects.add(name);
    else if (graph.externalNodes && Object.prototype.hasOwnProperty.call(graph.externalNodes, name)) queue.push(...(dependents.get(name) || []));
  }
  return [...projects].sort();
}

/**
 * Runs Nx's own touched-project locators on the given files, as `nx affected` does: once for all
 * files (the answer), then per file outside any project (to say which file caused what).
 */
async function touchedOp({ files, base, head, attribute, whole }) {
  const graph = await loadGraph();
  const { readNxJson, readPackageJson, fileChanges, touchedProjects } = nx();
  const nxJson = readNxJson();
  const packageJson = readPackageJson();
  // `files`: nx --files, where every named file is a whole-file change.
  const nxArgs = { base, head: head || undefined, ...(whole ? { files } : {}) };
  const changes = fileChanges(files, nxArgs);
  const run = async (subset) => projectsReached(graph, await touchedProjects(graph, subset, nxJson, packageJson));
  const touched = await run(changes);
  const byFile = {};
  for (const file of attribute || []) {
    const change = changes.find((c) => c.file === file);
    byFile[file] = change ? await run([change]) : [];
  }
  // Files Nx ignores (.nxignore, .gitignore) never reach the locators.
  const considered = changes.map((c) => c.file);
  return { touched, byFile, considered, dependencies: changedDependencies(changes) };
}

const DEPENDENCY_FIELDS = new Set(['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']);

/** The root package.json's dependencies whose entries changed (Nx's JSON diff), to name them in the cause. */
function changedDependencies(changes) {
  const change = changes.find((c) => c.file === 'package.json');
  if (!change) return {};
  const names = new Set();
  try {
    for (const c of change.getChanges()) {
      if (Array.isArray(c.path) && c.path.length >= 2 && DEPENDENCY_FIELDS.has(c.path[0])) names.add(c.path[1]);
    }
  } catch {
    return {}; // unreadable at a revision: the plain cause stands
  }
  return names.size > 0 ? { 'package.json': [...names].sort() } : {};
}

/** Node's "Require stack:" list of files is no help to a user: keep the message above it. */
function withoutRequireStack(text) {
  const at = text.indexOf('\nRequire stack:');
  return at < 0 ? text : text.slice(0, at);
}

/** Nx's ProjectGraphError keeps the real causes (which file, what failed) behind a generic message. */
function describeError(err) {
  const lines = [String((err && err.message) || err)];
  const inner = err && typeof err.getErrors === 'function' ? err.getErrors() : [];
  for (const e of inner.flatMap((x) => (x instanceof AggregateError ? x.errors : [x]))) {
    if (e && Array.isArray(e.errors)) {
      for (const [file, cause] of e.errors) lines.push(`${file}: ${(cause && cause.message) || cause}`);
    } else lines.push(String((e && e.message) || e));
  }
  return [...new Set(lines.map(withoutRequireStack))].slice(0, 12).join('\n');
}

const ops = { graph: graphOp, touched: touchedOp };

process.on('message', async (message) => {
  const { id, op } = message || {};
  try {
    if (!ops[op]) throw new Error(`unknown op ${op}`);
    const value = await ops[op](message);
    process.send({ id, ok: true, value });
  } catch (err) {
    process.send({
      id,
      ok: false,
      error: { code: err && err.code === 'NX_UNSUPPORTED' ? 'NX_UNSUPPORTED' : 'WORKSPACE_ERROR', message: describeError(err) },
    });
  }
});

process.send({ ready: true });
