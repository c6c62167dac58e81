import { describe, expect, it } from 'vitest';
import { type ProjectFacts, prepareBuildRequests } from '../../../electron/core/build-requests.js';
import { resolveValue } from '../../../electron/core/config-values.js';
import { runPool } from '../../../electron/core/pool.js';
import { ProjectConfig } from '../../../shared/config.js';

function facts(project: string, block: unknown, dockerfileExists = true): ProjectFacts {
  return {
    project,
    config: block === null ? null : ProjectConfig.parse(block),
    configError: null,
    contextDir: block === null ? null : `/ws/${project}`,
    dockerfileExists,
    dockerfilePath: `/ws/${project}/Dockerfile`,
  };
}

const ctx = (env: Record<string, string> = {}, secretNames: string[] = []) => ({
  env,
  secretNames: new Set(secretNames),
  labels: { 'org.opencontainers.image.revision': 'abc' },
  defaultTestTimeoutSeconds: 300,
});

describe('resolveValue', () => {
  it('substitutes ${NAME} and ${NAME:-default}, and marks values of secret variables', () => {
    expect(resolveValue('v=${A}', { A: '1' }, 'x')).toEqual({ value: 'v=1', secret: false });
    expect(resolveValue('${B:-two}', {}, 'x')).toEqual({ value: 'two', secret: false });
    expect(resolveValue('${T}', { T: 'tok' }, 'x', 'CONFIG_INVALID', new Set(['T']))).toEqual({ value: 'tok', secret: true });
    expect(resolveValue({ fromEnv: 'T', secret: true }, { T: 'tok' }, 'x')).toEqual({ value: 'tok', secret: true });
    expect(resolveValue({ value: 'lit', secret: true }, {}, 'x')).toEqual({ value: 'lit', secret: true });
  });

  it('names the value and the variable when the variable is unset', () => {
    expect(() => resolveValue('${NOPE}', {}, 'api build arg TOKEN', 'BUILD_ARG_UNSET')).toThrow(/api build arg TOKEN references \$\{NOPE\}, which is not set/);
    expect(() => resolveValue({ fromEnv: 'NOPE' }, {}, 'api env X')).toThrow(/api env X reads the environment variable NOPE/);
  });
});

describe('prepareBuildRequests', () => {
  it('builds a spec from the convoy block with resolved args, test plan and labels', () => {
    const prepared = prepareBuildRequests(
      [facts('api', { image: 'shop/api', buildArgs: { V: '${VERSION}', TOKEN: { fromEnv: 'TOKEN', secret: true } }, test: ['sh', 't.sh'], testTimeoutSeconds: 9, env: { MODE: 'test' } })],
      ctx({ VERSION: '1.2', TOKEN: 's3cret-value' }),
    );
    const [req] = prepared.requests;
    expect(req!.spec).toMatchObject({ repository: 'shop/api', dockerfile: 'Dockerfile', contextDir: '/ws/api', buildArgs: { V: '1.2', TOKEN: 's3cret-value' } });
    expect(req!.spec!.labels).toEqual({ 'org.opencontainers.image.revision': 'abc' });
    expect(req!.test).toEqual({ command: ['sh', 't.sh'], timeoutMs: 9000, env: { MODE: 'test' }, stage: null });
    expect(prepared.secrets).toEqual(['s3cret-value']);
  });

  it('gives each broken project its own error and keeps the others', () => {
    const prepared = prepareBuildRequests(
      [facts('lib', null, false), facts('noargs', { image: 'shop/x', buildArgs: { A: '${UNSET_VAR}' } }), facts('ok', { image: 'shop/ok' }), facts('bare', null, true)],
      ctx(),
    );
    expect(prepared.requests.map((r) => r.problem?.code ?? 'ok')).toEqual(['NO_DOCKERFILE', 'BUILD_ARG_UNSET', 'ok', 'CONFIG_INVALID']);
    expect(prepared.requests[0]!.problem!.message).toContain('/ws/lib/Dockerfile');
    expect(prepared.requests[1]!.problem!.message).toContain('UNSET_VAR');
  });

  it('seeds the secrets listed in convoy.yaml from the environment', () => {
    const prepared = prepareBuildRequests([facts('ok', { image: 'shop/ok' })], ctx({ REGISTRY_PASSWORD: 'pw-123456' }, ['REGISTRY_PASSWORD', 'MISSING']));
    expect(prepared.secrets).toEqual(['pw-123456']);
  });

  it('reports a config error as it is, before looking at the Dockerfile or the block', () => {
    const broken = { ...facts('api', { image: 'shop/api' }), configError: { code: 'CONFIG_INVALID' as const, message: 'api: "image" must be a string' } };
    expect(prepareBuildRequests([broken], ctx()).requests[0]!.problem).toEqual({ code: 'CONFIG_INVALID', message: 'api: "image" must be a string' });
  });

  it('says where the Dockerfile was looked for only when it knows, and asks for the convoy block by name', () => {
    const nowhere = { ...facts('lib', null, false), dockerfilePath: null };
    expect(prepareBuildRequests([nowhere], ctx()).requests[0]!.problem!.message).toBe('lib has no Dockerfile: add one, or set "dockerfile" in its convoy block');
    const noBlock = 'has a Dockerfile but no "convoy" block naming its image: add { "convoy": { "image": "…" } } to its package.json';
    // A block without a context folder, and a context folder without a block, are both refused.
    const noContext = { ...facts('a', { image: 'shop/a' }), contextDir: null };
    const noConfig = { ...facts('b', null), contextDir: '/ws/b' };
    expect(prepareBuildRequests([noContext, noConfig], ctx()).requests.map((r) => r.problem)).toEqual([
      { code: 'CONFIG_INVALID', message: `a ${noBlock}` },
      { code: 'CONFIG_INVALID', message: `b ${noBlock}` },
    ]);
  });

  it('names the project and the key of an unset build arg or test env variable', () => {
    const [arg, env] = prepareBuildRequests(
      [facts('api', { image: 'shop/api', buildArgs: { V: '${NO_V}' } }), facts('web', { image: 'shop/web', test: ['t'], env: { MODE: { fromEnv: 'NO_MODE' } } })],
      ctx(),
    ).requests;
    expect(arg!.problem).toMatchObject({ code: 'BUILD_ARG_UNSET', message: expect.stringMatching(/^api build arg V references \$\{NO_V\}, which is not set/) });
    expect(env!.problem).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^web env MODE reads the environment variable NO_MODE, which is not set/) });
  });

  it('passes the build target only when the block names one', () => {
    const [withTarget, without] = prepareBuildRequests([facts('a', { image: 'shop/a', target: 'runtime' }), facts('b', { image: 'shop/b' })], ctx()).requests;
    expect(withTarget!.spec!.target).toBe('runtime');
    expect('target' in without!.spec!).toBe(false);
  });
});

describe('runPool', () => {
  it('keeps input order and respects the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await runPool([30, 10, 20, 5], 2, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i;
    }, { skipped: () => -1 });
    expect(out).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it('starts nothing after the signal is aborted: the rest get the skipped result', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const out = await runPool(
      [0, 1, 2, 3],
      1,
      async (n) => {
        started.push(n);
        if (n === 1) controller.abort();
        return n;
      },
      { signal: controller.signal, skipped: (n) => -n },
    );
    expect(started).toEqual([0, 1]);
    expect(out).toEqual([0, 1, -2, -3]);
  });
});

describe('toDeployUnit', () => {
  it('carries the image and run settings, with environment env over the project’s', async () => {
    const { toDeployUnit } = await import('../../../electron/core/deploy-units.js');
    const config = ProjectConfig.parse({ image: 'shop/api', port: 8080, health: '/healthz', env: { MODE: 'prod', LEVEL: 'info' } });
    const { unit, secrets } = toDeployUnit(
      { service: 'api', config, manifestsDir: '/ws/api/deploy', image: 'shop/api:abc', releaseId: 'r1', commit: 'c1', environmentEnv: { LEVEL: 'debug', TOKEN: { fromEnv: 'T', secret: true } } },
      { T: 'tok-1234567' },
    );
    expect(unit).toEqual({ service: 'api', image: 'shop/api:abc', releaseId: 'r1', commit: 'c1', manifestsDir: '/ws/api/deploy', port: 8080, health: '/healthz', env: { MODE: 'prod', LEVEL: 'debug', TOKEN: 'tok-1234567' }, secrets: ['tok-1234567'] });
    expect(secrets).toEqual(['tok-1234567']);
  });

  it('names the source image only when it differs from the deployed one', async () => {
    const { toDeployUnit } = await import('../../../electron/core/deploy-units.js');
    const config = ProjectConfig.parse({ image: 'shop/api' });
    const base = { service: 'api', config, manifestsDir: null, releaseId: 'r1', commit: null, environmentEnv: {} };
    const pushed = toDeployUnit({ ...base, image: 'reg:5000/shop/api@sha256:ab', sourceImage: 'shop/api:abc' }, {}).unit;
    expect(pushed.sourceImage).toBe('shop/api:abc');
    expect('sourceImage' in toDeployUnit({ ...base, image: 'shop/api:abc', sourceImage: 'shop/api:abc' }, {}).unit).toBe(false);
    expect('sourceImage' in toDeployUnit({ ...base, image: 'shop/api:abc' }, {}).unit).toBe(false);
    expect('sourceImage' in toDeployUnit({ ...base, image: 'shop/api:abc', sourceImage: '' }, {}).unit).toBe(false);
  });

  it('names the project or the environment and the key of a variable that is not set', async () => {
    const { toDeployUnit } = await import('../../../electron/core/deploy-units.js');
    const base = { service: 'api', manifestsDir: null, image: 'shop/api:abc', releaseId: 'r1', commit: null };
    const own = ProjectConfig.parse({ image: 'shop/api', env: { TOKEN: { fromEnv: 'T' } } });
    expect(() => toDeployUnit({ ...base, config: own, environmentEnv: {} }, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^api env TOKEN reads the environment variable T, which is not set/) }));
    const plain = ProjectConfig.parse({ image: 'shop/api' });
    expect(() => toDeployUnit({ ...base, config: plain, environmentEnv: { KEY: { fromEnv: 'K' } } }, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^environment env KEY reads the environment variable K, which is not set/) }));
  });
});
