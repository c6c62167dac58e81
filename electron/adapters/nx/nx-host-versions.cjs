'use strict';
// One small adapter per supported Nx major: where that major keeps the internals the Nx host calls
// (the graph and its source maps, nx.json, the file changes, the touched-project locators, the file
// map and one project's configuration for the persisted graph). Only the host loads this
// file; nothing else in Convoy knows a deep Nx path. Paths were read from each major's own package
// (npm nx@20.7, 21.6, 22.6, 23.0, 23.3, 24.0).
const fs = require('node:fs');
const path = require('node:path');

/** The majors Convoy reads with the workspace's own nx; keep in step with nx-host-client.ts. */
const SUPPORTED_MAJORS = [20, 21, 22, 23, 24];

/** Loads `relative` from the nx package (under `prefix`: 'src' before Nx 23, 'dist/src' since). */
function loader(nxDir, prefix) {
  return (relative) => require(path.join(nxDir, prefix, relative));
}

/**
 * Nx 20 to 23.2: filterAffected runs these four locators in this order and keeps their union (the
 * same list in each of those releases); Convoy runs them without Nx's reverse walk.
 */
function locatorList(load) {
  const workspace = load('project-graph/affected/locators/workspace-projects.js');
  const globs = load('project-graph/affected/locators/project-glob-changes.js');
  const js = load('plugins/js/project-graph/affected/touched-projects.js');
  const locators = [
    workspace.getTouchedProjects,
    workspace.getImplicitlyTouchedProjects,
    globs.getTouchedProjectsFromProjectGlobChanges,
    js.getTouchedProjects,
  ];
  return async (graph, changes, nxJson, packageJson) => {
    const touched = [];
    for (const locate of locators) touched.push(...(await locate(changes, graph.nodes, nxJson, packageJson, graph)));
    return touched;
  };
}

/** Nx 23.3 and later: one native entry point runs every locator (affected-projects.js). */
function nativeLocators(load) {
  const { runTouchedProjectLocators } = load('project-graph/affected/affected-projects.js');
  return (graph, changes, nxJson, packageJson) => runTouchedProjectLocators(graph, changes, nxJson, packageJson);
}

/**
 * What Convoy's persisted graph needs from Nx to update itself after an edit, the same way Nx's own
 * file map does (same paths in 20–24 under each major's prefix): the file map of the last graph
 * build, the loaded plugins (their createNodes globs and whether they add dependencies), the JS
 * plugin's import analysis for a few files, and, for one project's changed project.json/package.json,
 * Nx's createNodes pass over those files and its node normalisation. `split`: Nx 23 and later.
 */
function incremental(load, split) {
  const { getFileMap } = load('project-graph/build-project-graph.js');
  const { fileDataDepTarget } = load('config/project-graph.js');
  const { getPlugins } = load('project-graph/plugins/get-plugins.js');
  const readNxJson = load('config/nx-json.js').readNxJson;
  return {
    fileMap: () => getFileMap().fileMap,
    fileDataDepTarget,
    // Nx 23 and later take nx.json as the first argument; earlier majors only the root.
    plugins: () => (getPlugins.length >= 1 ? getPlugins(readNxJson()) : getPlugins()),
    /**
     * Nx's own createNodes pass (the one a full build runs) over a few config files with the given
     * plugins, `filesFor(plugin)` naming each plugin's files. Nx 23 split the plugins (and their files)
     * into the nx.json ones and Nx's defaults; before, one list with the files by index.
     */
    projectConfigurations(root, nxJson, plugins, filesFor) {
      const { createProjectConfigurationsWithPlugins } = load('project-graph/utils/project-configuration-utils.js');
      const withNodes = plugins.filter((p) => p.createNodes && p.createNodes[0]);
      const files = withNodes.map(filesFor);
      return split
        ? createProjectConfigurationsWithPlugins(root, nxJson, { specifiedPluginFiles: [], defaultPluginFiles: files }, { specifiedPlugins: [], defaultPlugins: withNodes })
        : createProjectConfigurationsWithPlugins(root, nxJson, files, withNodes);
    },
    /** Nx's normalisation of project configurations into graph nodes (type, tags, implicitDependencies expanded). */
    normalizeProjectNodes: load('project-graph/utils/normalize-project-nodes.js').normalizeProjectNodes,
    explicitDependencies(ctx) {
      const { buildExplicitDependencies } = load('plugins/js/project-graph/build-dependencies/build-dependencies.js');
      const { jsPluginConfig } = load('plugins/js/utils/config.js');
      return buildExplicitDependencies(jsPluginConfig(ctx.nxJsonConfiguration), ctx);
    },
  };
}

function common(load, split = false) {
  return {
    // The same build as createProjectGraphAsync (which returns its projectGraph), with the source
    // maps: which file and plugin set each project field, so Convoy knows which projects their own
    // project.json/package.json alone describe.
    createProjectGraphAndSourceMapsAsync: load('project-graph/project-graph.js').createProjectGraphAndSourceMapsAsync,
    readNxJson: load('config/nx-json.js').readNxJson,
    readPackageJson: load('project-graph/file-utils.js').readPackageJson,
    incremental: () => incremental(load, split),
  };
}

const adapters = {
  // Nx 20: calculateFileChanges also takes the workspace's file data (for hashes no locator reads).
  20: (nxDir) => {
    const load = loader(nxDir, 'src');
    const { calculateFileChanges } = load('project-graph/file-utils.js');
    return { ...common(load), fileChanges: (files, nxArgs) => calculateFileChanges(files, [], nxArgs), touchedProjects: locatorList(load) };
  },
  21: (nxDir) => {
    const load = loader(nxDir, 'src');
    const { calculateFileChanges } = load('project-graph/file-utils.js');
    return { ...common(load), fileChanges: (files, nxArgs) => calculateFileChanges(files, nxArgs), touchedProjects: locatorList(load) };
  },
  22: (nxDir) => {
    const load = loader(nxDir, 'src');
    const { calculateFileChanges } = load('project-graph/file-utils.js');
    return { ...common(load), fileChanges: (files, nxArgs) => calculateFileChanges(files, nxArgs), touchedProjects: locatorList(load) };
  },
  // Nx 23 moved the sources under dist/; 23.3 added affected-projects.js, earlier 23s lack it.
  23: (nxDir) => {
    const load = loader(nxDir, 'dist/src');
    const { calculateFileChanges } = load('project-graph/file-utils.js');
    const native = fs.existsSync(path.join(nxDir, 'dist/src/project-graph/affected/affected-projects.js'));
    return {
      ...common(load, true),
      fileChanges: (files, nxArgs) => calculateFileChanges(files, nxArgs),
      touchedProjects: native ? nativeLocators(load) : locatorList(load),
    };
  },
  24: (nxDir) => {
    const load = loader(nxDir, 'dist/src');
    const { calculateFileChanges } = load('project-graph/file-utils.js');
    return { ...common(load, true), fileChanges: (files, nxArgs) => calculateFileChanges(files, nxArgs), touchedProjects: nativeLocators(load) };
  },
};

/** The adapter for the nx in nxDir, or an error saying which versions work and what to do. */
function adapterFor(nxDir, version) {
  const major = Number.parseInt(String(version).split('.')[0], 10);
  const make = adapters[major];
  if (!make) {
    const e = new Error(
      `Nx ${version} (${nxDir}) is not supported: Convoy reads workspaces with their own nx ${SUPPORTED_MAJORS[0]} to ` +
        `${SUPPORTED_MAJORS[SUPPORTED_MAJORS.length - 1]}. Upgrade the workspace's nx, or use Convoy's bundled nx ` +
        '(`--nx bundled`, or `nx: bundled` in convoy.yaml).',
    );
    e.code = 'NX_UNSUPPORTED';
    throw e;
  }
  try {
    return make(nxDir);
  } catch (err) {
    // A release inside a supported major that moved a file: say so, without Node's require stack.
    const first = String((err && err.message) || err).split('\n')[0];
    const e = new Error(
      `Nx ${version} (${nxDir}) does not have the internals Convoy's adapter for Nx ${major} expects (${first}). ` +
        "Use Convoy's bundled nx (`--nx bundled`, or `nx: bundled` in convoy.yaml), or another Nx " +
        `${major} release, and report the version to Convoy.`,
    );
    e.code = 'NX_UNSUPPORTED';
    throw e;
  }
}

module.exports = { SUPPORTED_MAJORS, adapterFor };
