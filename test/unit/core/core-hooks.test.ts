// Three small parts of the core that the mutation run (docs/mutation.md) found unreached or unpinned by
// the mutation config's tests: the crash hook (crash-points.ts), unsubscribing from the event bus
// (events.ts) and the image tag of a content hash (image-tag.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { crashPoint, installCrashHook } from '../../../electron/core/crash-points.js';
import { createEventBus } from '../../../electron/core/events.js';
import { TAG_HASH_LENGTH, imageTag } from '../../../electron/core/image-tag.js';

afterEach(() => installCrashHook(null));

describe('crash hook', () => {
  it('calls the installed hook with the point name, and nothing once it is removed', () => {
    const hits: string[] = [];
    crashPoint('before-install');
    installCrashHook((point) => hits.push(point));
    crashPoint('release.apply');
    installCrashHook(null);
    crashPoint('after-removal');
    expect(hits).toEqual(['release.apply']);
  });
});

describe('event bus', () => {
  it('stops delivering to a listener once it unsubscribed, and keeps the others', () => {
    const bus = createEventBus();
    const first: string[] = [];
    const second: string[] = [];
    const unsubscribe = bus.subscribe((name) => first.push(name));
    bus.subscribe((name) => second.push(name));
    bus.emit('build.log', { runId: 'r', jobId: null, project: 'p', phase: 'build', line: 'one' });
    unsubscribe();
    bus.emit('build.log', { runId: 'r', jobId: null, project: 'p', phase: 'build', line: 'two' });
    expect(first).toEqual(['build.log']);
    expect(second).toEqual(['build.log', 'build.log']);
  });
});

describe('imageTag', () => {
  it('is the first 16 hex digits of the content hash', () => {
    expect(TAG_HASH_LENGTH).toBe(16);
    expect(imageTag('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef');
  });
});
