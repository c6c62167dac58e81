// What crosses the contract as an error (shared/errors.ts) and which run events may be stored
// (shared/runs.ts), in the cases the mutation run (docs/mutation.md) found unpinned: anything thrown
// becomes a typed payload without throwing itself, issues are described with their path or the top
// level, and a run event is refused with its name, the known events or the wrong field.
import { describe, expect, it } from 'vitest';
import { ConvoyError, describeIssues, toErrorPayload } from '../../../shared/errors.js';
import { isRunEventName, parseRunEvent, type RunEventName } from '../../../shared/runs.js';

describe('toErrorPayload', () => {
  it('keeps the code and message of a ConvoyError and of any object with a known code', () => {
    expect(toErrorPayload(new ConvoyError('NOT_FOUND', 'no such run'))).toEqual({ code: 'NOT_FOUND', message: 'no such run' });
    expect(toErrorPayload({ code: 'NOT_FOUND', message: 'from a worker' })).toEqual({ code: 'NOT_FOUND', message: 'from a worker' });
    expect(toErrorPayload({ code: 'NOT_FOUND' })).toEqual({ code: 'NOT_FOUND', message: '' });
  });

  it('turns everything else into INTERNAL with its message, never throwing', () => {
    expect(toErrorPayload({ code: 'NO_SUCH_CODE', message: 'x' })).toEqual({ code: 'INTERNAL', message: '[object Object]' });
    expect(toErrorPayload(new Error('disk on fire'))).toEqual({ code: 'INTERNAL', message: 'disk on fire' });
    expect(toErrorPayload(new Error(''))).toEqual({ code: 'INTERNAL', message: 'Unexpected error' });
    expect(toErrorPayload(null)).toEqual({ code: 'INTERNAL', message: 'null' });
    expect(toErrorPayload('plain text')).toEqual({ code: 'INTERNAL', message: 'plain text' });
    expect(toErrorPayload(42)).toEqual({ code: 'INTERNAL', message: '42' });
  });
});

describe('describeIssues', () => {
  it('names the path, or the top level for an issue without one, and joins issues with "; "', () => {
    const issues = [
      { path: [], message: 'must be an object' },
      { path: ['environments', 0, 'name'], message: 'required' },
    ];
    expect(describeIssues(issues, '(top level)')).toBe('(top level): must be an object; environments.0.name: required');
    expect(describeIssues(issues)).toBe('must be an object; environments.0.name: required');
  });

  it('describes at most five issues', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => ({ path: [key], message: 'bad' }));
    expect(describeIssues(six)).toBe('a: bad; b: bad; c: bad; d: bad; e: bad');
  });
});

describe('run events', () => {
  it('knows its own event names only', () => {
    expect(isRunEventName('release.stageStarted')).toBe(true);
    expect(isRunEventName('toString')).toBe(false);
    expect(isRunEventName(42)).toBe(false);
  });

  it('refuses an unknown event naming the known ones, and a bad payload naming the field or the root', () => {
    expect(() => parseRunEvent('no.such' as RunEventName, {})).toThrow(/^"no\.such" is not a run event; known events: .*release\.stageStarted, /);
    expect(() => parseRunEvent('release.stageStarted', { releaseId: 'r', stage: 'waves', environment: 7 })).toThrow(/^Event release\.stageStarted has an invalid payload: environment: /);
    expect(() => parseRunEvent('release.stageStarted', 'not an object')).toThrow(/^Event release\.stageStarted has an invalid payload: \(root\): /);
    expect(parseRunEvent('release.stageStarted', { releaseId: 'r', stage: 'waves', environment: null })).toEqual({ releaseId: 'r', stage: 'waves', environment: null });
  });
});
