// The refinements inside the contract's and the configuration's schemas (shared/contract/define.ts,
// shared/contract/affected.ts, shared/config.ts), written for the survivors of the mutation run
// (docs/mutation.md): each rule refuses what it must, says so at the right field, and lets the rest in;
// and the name checks and error texts next to them.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { commands, isCommandName, isEventName } from '../../../shared/contract.js';
import { ConvoyError } from '../../../shared/errors.js';
import { isRunEventName, parseRunEvent } from '../../../shared/runs.js';
import { GitRef } from '../../../shared/contract/define.js';
import { ConfigValue, DurationSeconds, EnvironmentConfig, WorkspaceConfig } from '../../../shared/config.js';

/** The issues of a refused value as `path: message`, or 'ok'. */
function verdict(schema: z.ZodType, value: unknown): string[] | 'ok' {
  const parsed = schema.safeParse(value);
  return parsed.success ? 'ok' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('GitRef', () => {
  it('refuses a revision that starts with "-" and takes one that ends with it', () => {
    expect(verdict(GitRef, '-x')).toEqual([': a git revision may not start with "-"']);
    expect(verdict(GitRef, 'x-')).toBe('ok');
  });
});

describe('uncommitted with head', () => {
  it('is refused at "uncommitted" for affected and for build, and each alone is fine', () => {
    const message = 'uncommitted: uncommitted (the working tree against HEAD) cannot be combined with head; drop one of them';
    expect(verdict(commands['build.run'].input, { dir: '/w', uncommitted: true, head: 'main' })).toContain(message);
    expect(verdict(commands['affected.compute'].input, { dir: '/w', uncommitted: true, head: 'main', base: 'main' })).toContain(message);
    expect(verdict(commands['build.run'].input, { dir: '/w', uncommitted: true })).toBe('ok');
    expect(verdict(commands['build.run'].input, { dir: '/w', head: 'main' })).toBe('ok');
  });
});

describe("affected: nx's argument rules", () => {
  const input = commands['affected.compute'].input;

  it('names the second of two conflicting options, with why nx refuses them', () => {
    expect(verdict(input, { dir: '/w', files: ['a.ts'], base: 'main' })).toEqual([
      'base: files and base cannot be combined (nx refuses them too: --files names the touched files itself, so it takes no base) — drop one of them',
    ]);
  });

  it('refuses head without base at "head", and takes both together', () => {
    expect(verdict(input, { dir: '/w', head: 'feature' })).toEqual(['head: head needs a base, as in nx (--head implies --base) — give base too']);
    expect(verdict(input, { dir: '/w', head: 'feature', base: 'main' })).toBe('ok');
  });
});

describe('configuration refinements', () => {
  it('a config value gives exactly one of value or fromEnv', () => {
    expect(verdict(ConfigValue, { value: 'a' })).toBe('ok');
    expect(verdict(ConfigValue, { fromEnv: 'A' })).toBe('ok');
    for (const both of [{}, { value: 'a', fromEnv: 'A' }]) {
      const issues = verdict(ConfigValue, both);
      expect(issues, JSON.stringify(both)).not.toBe('ok');
      expect(JSON.stringify(issues)).toContain('give exactly one of value or fromEnv');
    }
  });

  it('a duration is at most 24h, 24h itself included', () => {
    expect(DurationSeconds.parse('24h')).toBe(86_400);
    expect(DurationSeconds.parse('1440m')).toBe(86_400);
    expect(verdict(DurationSeconds, '1441m')).not.toBe('ok');
    expect(JSON.stringify(verdict(DurationSeconds, '1441m'))).toContain('at most 24h');
  });

  it('a bad registry is refused naming the text and the problem', () => {
    expect(verdict(EnvironmentConfig, { name: 'prod', target: { kind: 'docker' }, registry: 'https://reg.example.com/shop' })).toEqual([
      'registry: registry "https://reg.example.com/shop" has a scheme; write it without one, e.g. reg.example.com/shop',
    ]);
    expect(verdict(EnvironmentConfig, { name: 'prod', target: { kind: 'docker' }, registry: 'reg.example.com/shop' })).toBe('ok');
  });

  it('environment names are unique', () => {
    const env = (name: string) => ({ name, target: { kind: 'docker' } });
    expect(verdict(WorkspaceConfig, { environments: [env('a'), env('a')] })).toEqual(['environments: environment names must be unique']);
    expect(verdict(WorkspaceConfig, { environments: [env('a'), env('b')] })).toBe('ok');
  });
});

describe('names and errors', () => {
  it('a name is a command, event or run event only as a string, not as an object that prints as one', () => {
    const disguised = { toString: () => 'app.info' };
    expect(isCommandName('app.info')).toBe(true);
    expect(isCommandName(disguised)).toBe(false);
    expect(isEventName('job.progress')).toBe(true);
    expect(isEventName({ toString: () => 'job.progress' })).toBe(false);
    expect(isRunEventName('run.interrupted')).toBe(true);
    expect(isRunEventName({ toString: () => 'run.interrupted' })).toBe(false);
  });

  it('a bad run event names the nested field by its dotted path', () => {
    expect(() => parseRunEvent('run.interrupted', { owner: null, reason: 'x', by: { pid: 'one', startedAt: null, host: 'h' } })).toThrow(
      /^Event run\.interrupted has an invalid payload: by\.pid: /,
    );
  });

  it('a ConvoyError says what it is', () => {
    const error = new ConvoyError('INTERNAL', 'boom');
    expect(error.name).toBe('ConvoyError');
    expect(String(error)).toBe('ConvoyError: boom');
  });
});
