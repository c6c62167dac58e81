// @vitest-environment jsdom
// useCommand: a refusal never reaches the core, a job's progress is kept to its last lines, and only
// the newest attempt may write the state (an older answer arriving late must not replace a newer one).
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientProvider } from '../../../renderer/src/client/client-context.js';
import { refuse, useCommand } from '../../../renderer/src/client/use-command.js';
import { createClient } from '../../../shared/client.js';
import type { CallResult } from '../../../shared/contract.js';
import { type FakeChannel, fakeChannel } from './fakes.js';

afterEach(cleanup);

function wrapperFor(channel: FakeChannel) {
  const client = createClient(channel);
  return ({ children }: { children: ReactNode }) => (
    <ClientProvider client={client} transport="websocket">
      {children}
    </ClientProvider>
  );
}

describe('useCommand', () => {
  it('keeps a refusal on screen without calling the core', async () => {
    const channel = fakeChannel({});
    const { result } = renderHook(() => useCommand('history.list'), { wrapper: wrapperFor(channel) });
    let output: unknown = 'unset';
    await act(async () => {
      output = await result.current.run(refuse('Enter the workspace path above first.'));
    });
    expect(output).toBeNull();
    expect(result.current.error).toBe('Enter the workspace path above first.');
    expect(channel.calls).toEqual([]);
  });

  it('answers with the newest attempt even when an older answer arrives later', async () => {
    const answers: Array<(result: CallResult<unknown>) => void> = [];
    const channel = fakeChannel({ 'history.list': () => new Promise((resolve) => answers.push(resolve)) });
    const { result } = renderHook(() => useCommand('history.list'), { wrapper: wrapperFor(channel) });
    const listing = (id: string) => ({ ok: true as const, output: { runs: [{ id, kind: 'build', workspace: '/w', environment: null, base: null, head: null, status: 'succeeded', createdAt: '2026-12-04T10:00:00.000Z', finishedAt: null, summary: null }] } });
    let first!: Promise<unknown>;
    let second!: Promise<unknown>;
    act(() => {
      first = result.current.run({ limit: 5 });
      second = result.current.run({ limit: 6 });
    });
    await waitFor(() => expect(answers).toHaveLength(2));
    await act(async () => {
      answers[1]!(listing('newer'));
      await second;
    });
    expect(result.current.output?.runs[0]?.id).toBe('newer');
    await act(async () => {
      answers[0]!(listing('older'));
      await first;
    });
    expect(result.current.output?.runs[0]?.id).toBe('newer');
    expect(result.current.running).toBe(false);
  });

  it('keeps the last eight progress lines of a job, and its id while it runs', async () => {
    const channel = fakeChannel({
      'workspace.open': (_input, ch) => {
        setTimeout(() => {
          for (let n = 1; n <= 12; n++) ch.emit('job.progress', { jobId: 'job-p', command: 'workspace.open', message: `step ${n}`, fraction: null });
        }, 0);
        return { ok: true, output: { jobId: 'job-p' } };
      },
    });
    const { result } = renderHook(() => useCommand('workspace.open'), { wrapper: wrapperFor(channel) });
    act(() => void result.current.run({ dir: '/w' }));
    await waitFor(() => expect(result.current.progress.map((p) => p.message)).toEqual(Array.from({ length: 8 }, (_, i) => `step ${i + 5}`)));
    expect(result.current.jobId).toBe('job-p');
    expect(result.current.isCurrentJob('job-p')).toBe(true);
    expect(result.current.running).toBe(true);
  });
});
