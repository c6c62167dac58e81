'use strict';
// The Nx host: one child process per workspace, started with cwd and NX_WORKSPACE_ROOT_PATH set to
// the workspace root. It is the only place that reaches into Nx's internals (deep imports move
// between Nx versions), and it keeps Nx's work off the caller's thread.
//
// Protocol (process.send / 'message'): { id, op: 'graph' | 'touched' | 'imports' | 'project', ...args } → { id, ok, value | error }.
const fs = require('node:fs');
const { createRequire } = require('node:module');
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

/** Nx's project graph and its source maps (which file and plugin set each project field). */
function loadGraphAndSourceMaps() {
  if (!graphPromise) {
    graphPromise = nx().createProjectGraphAndSourceMapsAsync({ exitOnError: false, resetDaemonClient: false });
    graphPromise.catch(() => {
      graphPromise = null;
    });
  }
  return graphPromise;
}

async function loadGraph() {
  return (await loadGraphAndSourceMaps()).projectGraph;
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

/** What Convoy keeps of one Nx project node. */
function projectOf(name, node, dependencies) {
  return {
    name,
    root: node.data.root,
    type: TYPES[node.type] || 'unknown',
    tags: Array.isArray(node.data.tags) ? node.data.tags : [],
    dependencies,
    capabilities: capabilities(node.data.root),
  };
}

async function graphOp() {
  const { projectGraph: graph, sourceMaps } = await loadGraphAndSourceMaps();
  const names = Object.keys(graph.nodes).sort();
  const projects = names.map((name) => {
    const deps = (graph.dependencies[name] || [])
      .map((dep) => dep.target)
      .filter((target) => Object.prototype.hasOwnProperty.call(graph.nodes, target));
    return projectOf(name, graph.nodes[name], [...new Set(deps)].sort());
  });
  return {
    nxVersion,
    projects,
    fileMap: await fileMapOf(graph, sourceMaps),
  };
}

/** The one plugin whose dependencies Convoy can recompute per file (Nx's own import analysis). */
const JS_DEPENDENCIES_PLUGIN = 'nx/js/dependencies-and-lockfile';
/** Nx's built-in plugins that read a project from its own project.json and package.json. */
const CONFIG_PLUGINS = new Set(['nx/core/project-json', 'nx/core/package-json']);
const CONFIG_FILES = ['project.json', 'package.json'];
/** The project fields Convoy's graph reads (source-map keys, and the keys below them). */
const READ_FIELDS = ['root', 'name', 'projectType', 'tags', 'implicitDependencies', 'metadata.js'];

/**
 * What the persisted graph needs to update itself after an edit, as Nx's file map does: per file
 * the projects its imports reach; per project its implicitDependencies as Nx expanded them (a `!x`
 * takes away even an edge an import makes) and the edges no file explains, kept as they are until a
 * full rebuild; what Nx's import resolver reads of each project and of the npm packages; every
 * plugin's createNodes glob (a change to a matching file can reshape projects) and which of them are
 * the built-in project.json/package.json ones; and, per project that its own project.json and
 * package.json alone describe (the source maps say no other file or plugin set a field Convoy reads),
 * those files, so a change to one of them re-reads only that project. `incremental: false` with a
 * reason when a plugin adds dependencies of its own, which only Nx's full build knows how to recompute.
 */
async function fileMapOf(graph, sourceMaps) {
  try {
    return await readFileMap(graph, sourceMaps || {});
  } catch (err) {
    // The graph itself is fine: without a file map every change just rebuilds it.
    return { incremental: false, reason: `this nx did not give Convoy its file map (${String((err && err.message) || err).split('\n')[0]})` };
  }
}

/** The project's own config files, when they alone set every field Convoy reads (else null). */
function ownConfigFiles(root, sourceMap) {
  if (!sourceMap || !root || root === '.') return null;
  const own = new Set(CONFIG_FILES.map((name) => path.posix.join(root, name)));
  const files = new Set();
  for (const [key, source] of Object.entries(sourceMap)) {
    const [file, plugin] = Array.isArray(source) ? source : [];
    const read = READ_FIELDS.some((field) => key === field || key.startsWith(`${field}.`));
    if (own.has(file) && CONFIG_PLUGINS.has(plugin)) files.add(file);
    else if (read) return null;
  }
  return files.size > 0 ? [...files].sort() : null;
}

async function readFileMap(graph, sourceMaps) {
  const tools = nx().incremental();
  const plugins = await tools.plugins();
  const others = plugins.filter((p) => typeof p.createDependencies === 'function' && p.name !== JS_DEPENDENCIES_PLUGIN);
  if (others.length > 0) return { incremental: false, reason: `plugin ${others.map((p) => p.name).join(', ')} adds dependencies of its own` };
  const globOf = (p) => p.createNodes && p.createNodes[0];
  const patterns = [...new Set(plugins.map(globOf).filter((x) => typeof x === 'string'))].sort();
  const configPatterns = [...new Set(plugins.filter((p) => CONFIG_PLUGINS.has(p.name)).map(globOf).filter((x) => typeof x === 'string'))].sort();
  const isProject = (name) => Object.prototype.hasOwnProperty.call(graph.nodes, name);
  const files = {};
  const explained = {};
  for (const [project, entries] of Object.entries(tools.fileMap().projectFileMap || {})) {
    explained[project] = new Set();
    for (const entry of entries) {
      const targets = (entry.deps || []).map((dep) => tools.fileDataDepTarget(dep)).filter((t) => t !== project && isProject(t));
      for (const t of targets) explained[project].add(t);
      if (targets.length > 0) files[entry.file] = [...new Set(targets)].sort();
    }
  }
  const fixed = {};
  for (const [project, deps] of Object.entries(graph.dependencies)) {
    if (!isProject(project)) continue;
    const kept = deps
      .filter((d) => isProject(d.target) && d.target !== project && d.type !== 'implicit' && !(explained[project] && explained[project].has(d.target)))
      .map((d) => d.target);
    if (kept.length > 0) fixed[project] = [...new Set(kept)].sort();
  }
  const implicit = {};
  const configs = {};
  const locatorProjects = {};
  for (const [name, node] of Object.entries(graph.nodes)) {
    const list = Array.isArray(node.data.implicitDependencies) ? node.data.implicitDependencies : [];
    if (list.length > 0) implicit[name] = [...list];
    const own = ownConfigFiles(node.data.root, sourceMaps[node.data.root]);
    if (own) configs[name] = own;
    locatorProjects[name] = locatorOf(node.data);
  }
  const externalNodes = {};
  for (const [name, node] of Object.entries(graph.externalNodes || {})) {
    if (node.type === 'npm') externalNodes[name] = { type: 'npm', name, data: { packageName: node.data.packageName, version: node.data.version } };
  }
  return { incremental: true, patterns, configPatterns, files, fixed, implicit, configs, locatorProjects, externalNodes };
}

/** What Nx's import resolver reads of a project: its root and its package metadata. */
function locatorOf(data) {
  const js = data.metadata && data.metadata.js;
  return { root: data.root, ...(js ? { metadata: { js } } : {}) };
}

/**
 * One project read again from its own project.json and package.json, by Nx's built-in plugins (the
 * createNodes pass of a full build, over just these files) and Nx's node normalisation against the
 * persisted projects (for its type and its implicitDependencies as Nx expands them). Convoy checks
 * the answer against the persisted graph and rebuilds in full whenever it cannot be sure.
 */
async function projectOp({ projectRoot, projects }) {
  const tools = nx().incremental();
  const nxJson = nx().readNxJson();
  const files = CONFIG_FILES.map((name) => path.posix.join(projectRoot, name)).filter((file) => exists(path.join(root, file)));
  // Nx matches createNodes globs with minimatch; the workspace's nx brings its own copy.
  const { minimatch } = createRequire(path.join(nxDir, 'package.json'))('minimatch');
  const plugins = (await tools.plugins()).filter((p) => CONFIG_PLUGINS.has(p.name));
  const filesFor = (p) => files.filter((file) => minimatch(file, p.createNodes[0], { dot: true }));
  const result = await tools.projectConfigurations(root, nxJson, plugins, filesFor);
  const config = Object.values(result.projects || {}).find((c) => c && c.root === projectRoot);
  if (!config || typeof config.name !== 'string') return { found: false };
  const rawImplicit = Array.isArray(config.implicitDependencies) ? [...config.implicitDependencies] : [];
  const configurations = {};
  for (const p of projects) configurations[p.name] = { name: p.name, root: p.root, tags: p.tags, projectType: 'library', implicitDependencies: [] };
  configurations[config.name] = { ...config, implicitDependencies: [...rawImplicit] };
  const nodes = {};
  await tools.normalizeProjectNodes({ projects: configurations, workspaceRoot: root }, { addNode: (n) => (nodes[n.name] = n) });
  const node = nodes[config.name];
  const project = projectOf(config.name, node, []);
  const implicit = Array.isArray(node.data.implicitDependencies) ? node.data.implicitDependencies : [];
  return { found: true, project, rawImplicit, implicit, locator: locatorOf(node.data) };
}

/**
 * Nx's own import analysis (the JS plugin's createDependencies) for a few files, against the projects
 * and npm packages of the persisted graph: per file, the projects it depends on.
 */
async function importsOp({ files, locatorProjects, externalNodes }) {
  const tools = nx().incremental();
  const projects = {};
  for (const [name, data] of Object.entries(locatorProjects)) projects[name] = { name, ...data };
  const projectFileMap = {};
  for (const { file, project } of files) (projectFileMap[project] = projectFileMap[project] || []).push({ file, hash: '' });
  const ctx = {
    projects,
    externalNodes,
    fileMap: { projectFileMap, nonProjectFiles: [] },
    filesToProcess: { projectFileMap, nonProjectFiles: [] },
    nxJsonConfiguration: nx().readNxJson(),
    workspaceRoot: root,
  };
  const deps = {};
  for (const { file } of files) deps[file] = [];
  for (const dep of await tools.explicitDependencies(ctx)) {
    if (!deps[dep.sourceFile] || dep.target === dep.source || !Object.prototype.hasOwnProperty.call(projects, dep.target)) continue;
    if (!deps[dep.sourceFile].includes(dep.target)) deps[dep.sourceFile].push(dep.target);
  }
  for (const file of Object.keys(deps)) deps[file].sort();
  return deps;
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

const ops = { graph: graphOp, touched: touchedOp, imports: importsOp, project: projectOp };

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
