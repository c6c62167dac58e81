// Reads Convoy's configuration from a workspace: convoy.yaml (or convoy.yml) at the root, and each
// project's `convoy` block from its package.json (or project.json). Errors name the file, the field and,
// for YAML syntax, the line, so the user can fix them without guessing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ProjectConfig, WorkspaceConfig } from '../../../shared/config.js';
import type { WorkspaceProject } from '../../../shared/domain.js';
import type { ProjectSetupResult, WorkspaceConfigFile } from '../../core/ports/config.js';
import { ConvoyError, describeIssues as describeZodIssues } from '../../../shared/errors.js';
import { resolveInsideWorkspace } from './workspace-paths.js';

const WORKSPACE_FILES = ['convoy.yaml', 'convoy.yml'];

function describeIssues(error: z.ZodError): string {
  return describeZodIssues(error.issues, '(top level)');
}

/** The workspace's convoy.yaml, or the defaults when it has none. */
export function loadWorkspaceConfig(root: string): WorkspaceConfigFile {
  const file = WORKSPACE_FILES.map((name) => path.join(root, name)).find((candidate) => existsSync(candidate)) ?? null;
  if (file === null) return { config: WorkspaceConfig.parse({}), file: null };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConvoyError('CONFIG_INVALID', `Cannot read ${file}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new ConvoyError('CONFIG_INVALID', `${file}${line ? `:${line}` : ''} is not valid YAML: ${first.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    // Some documents parse but cannot become values, e.g. an alias to an anchor that does not exist.
    raw = doc.toJS() ?? {};
  } catch (err) {
    throw new ConvoyError('CONFIG_INVALID', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = WorkspaceConfig.safeParse(raw);
  if (!parsed.success) throw new ConvoyError('CONFIG_INVALID', `${file}: ${describeIssues(parsed.error)}`);
  return { config: parsed.data, file };
}

export type { ProjectSetup, ProjectSetupResult } from '../../core/ports/config.js';

function readJson(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch (err) {
    throw new ConvoyError('CONFIG_INVALID', `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The project's `convoy` block, from package.json or project.json. A project with neither block gets
 * null (Convoy has nothing to build or deploy for it), unless it has a Dockerfile: then it is named in
 * an error, because a project selected for a build needs an image name.
 */
export function loadProjectSetup(workspaceRoot: string, project: WorkspaceProject): ProjectSetupResult | null {
  const root = path.join(workspaceRoot, project.root);
  try {
    let file: string | null = null;
    let block: unknown;
    for (const name of ['package.json', 'project.json']) {
      const json = readJson(path.join(root, name));
      if (json && 'convoy' in json) {
        file = path.join(root, name);
        block = json.convoy;
        break;
      }
    }
    if (file === null) return null;
    const parsed = ProjectConfig.safeParse(block);
    if (!parsed.success) {
      return { ok: false, project: project.name, error: new ConvoyError('CONFIG_INVALID', `${file} "convoy": ${describeIssues(parsed.error)}`) };
    }
    const config = parsed.data;
    // Every configured path stays inside the workspace, symlinks followed (an unset `manifests`
    // looks at `deploy`, which must obey the same rule).
    const inside = (base: string, value: string, field: string) => resolveInsideWorkspace(workspaceRoot, base, value, { file, field: `convoy.${field}` });
    const contextDir = inside(root, config.context, 'context');
    inside(contextDir, config.dockerfile, 'dockerfile');
    const manifests = inside(root, config.manifests ?? 'deploy', config.manifests === undefined ? 'manifests (default deploy)' : 'manifests');
    return {
      ok: true,
      setup: {
        project: project.name,
        root,
        file,
        config,
        contextDir,
        dockerfileExists: existsSync(path.resolve(contextDir, config.dockerfile)),
        manifestsDir: isDir(manifests) ? manifests : null,
      },
    };
  } catch (err) {
    const error = err instanceof ConvoyError ? err : new ConvoyError('CONFIG_INVALID', (err as Error).message);
    return { ok: false, project: project.name, error };
  }
}
