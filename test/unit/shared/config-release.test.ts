// convoy.yaml's release settings (issue 12): defaults, overrides per environment, promotion order, and
// bad input reported with the path of the bad key.
import { describe, expect, it } from 'vitest';
import { environmentsUpTo } from '../../../electron/core/release/environments.js';
import { ProjectConfig, WorkspaceConfig } from '../../../shared/config.js';
import { describeIssues } from '../../../shared/errors.js';

const docker = { kind: 'docker' };

function problem(raw: unknown, schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } } = WorkspaceConfig): string {
  const parsed = schema.safeParse(raw);
  if (parsed.success) throw new Error('expected the config to be refused');
  return describeIssues(parsed.error!.issues, '(top level)');
}

describe('release settings in convoy.yaml', () => {
  it('defaults: rollback auto, every gate on, no approval, 4 at a time, 300 s', () => {
    const config = WorkspaceConfig.parse({ environments: [{ name: 'local', target: docker }] });
    const [local] = environmentsUpTo(config);
    expect(local).toMatchObject({
      name: 'local',
      approvalRequired: false,
      rollback: 'auto',
      concurrency: 4,
      timeoutMs: 300_000,
      gates: { immutableImages: true, resources: true, hostAccess: true, testedImages: true, allow: { privileged: [], hostPath: [], hostNetwork: [] } },
    });
  });

  it('reads every key, with environment deploy settings over the workspace ones', () => {
    const config = WorkspaceConfig.parse({
      deploy: { concurrency: 2, timeout: '2m' },
      environments: [
        { name: 'local', target: docker, rollback: 'manual', gates: { resources: false, allow: { hostPath: ['agent'] } } },
        { name: 'staging', target: docker, approval: { required: true }, deploy: { timeout: 90 } },
        { name: 'prod', target: docker, approval: { required: true }, deploy: { concurrency: 1, timeout: '1h' } },
      ],
    });
    expect(environmentsUpTo(config).map((e) => [e.name, e.approvalRequired, e.rollback, e.concurrency, e.timeoutMs, e.gates.resources, e.gates.allow.hostPath])).toEqual([
      ['local', false, 'manual', 2, 120_000, false, ['agent']],
      ['staging', true, 'auto', 2, 90_000, true, []],
      ['prod', true, 'auto', 1, 3_600_000, true, []],
    ]);
  });

  it('walks environments in promotion order up to the one named, or that one alone', () => {
    const config = WorkspaceConfig.parse({ environments: ['local', 'staging', 'prod'].map((name) => ({ name, target: docker })) });
    expect(environmentsUpTo(config, 'staging').map((e) => e.name)).toEqual(['local', 'staging']);
    expect(environmentsUpTo(config, 'staging', { only: true }).map((e) => e.name)).toEqual(['staging']);
    expect(() => environmentsUpTo(config, 'qa', { file: '/ws/convoy.yaml' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: 'No environment "qa" in /ws/convoy.yaml; its environments are: local, staging, prod' }),
    );
    expect(() => environmentsUpTo(WorkspaceConfig.parse({}), 'qa', { file: null })).toThrow(/no convoy\.yaml/);
  });

  it('names the path of a bad key or a wrong type', () => {
    const env = (extra: Record<string, unknown>) => ({ environments: [{ name: 'local', target: docker, ...extra }] });
    expect(problem(env({ rollback: 'sometimes' }))).toMatch(/^environments\.0\.rollback: /);
    expect(problem(env({ gates: { resourcez: false } }))).toMatch(/^environments\.0\.gates: Unrecognized key: "resourcez"/);
    expect(problem(env({ gates: { resources: 'no' } }))).toMatch(/^environments\.0\.gates\.resources: /);
    expect(problem(env({ gates: { allow: { privileged: 'agent' } } }))).toMatch(/^environments\.0\.gates\.allow\.privileged: /);
    expect(problem(env({ approval: { required: 'yes' } }))).toMatch(/^environments\.0\.approval\.required: /);
    expect(problem(env({ deploy: { timeout: '5 minutes' } }))).toMatch(/^environments\.0\.deploy\.timeout: /);
    expect(problem({ deploy: { concurrency: 0 } })).toMatch(/^deploy\.concurrency: /);
    expect(problem({ deploy: { paralel: 2 } })).toMatch(/^deploy: Unrecognized key: "paralel"/);
    expect(problem({ deploy: { timeout: '48h' } })).toMatch(/^deploy\.timeout: at most 24h/);
  });

  it('reads deployAfter in a project block, and names it when wrong', () => {
    expect(ProjectConfig.parse({ image: 'shop/web', deployAfter: ['api'] }).deployAfter).toEqual(['api']);
    expect(ProjectConfig.parse({ image: 'shop/web' }).deployAfter).toEqual([]);
    expect(problem({ image: 'shop/web', deployAfter: 'api' }, ProjectConfig)).toMatch(/^deployAfter: /);
    expect(problem({ image: 'shop/web', deployAfter: [''] }, ProjectConfig)).toMatch(/^deployAfter\.0: /);
  });
});
