// The stub handlers tests rely on: every command has one, a given handler wins, and a stub that is
// reached fails loudly with the command's name instead of answering something plausible.
import { describe, expect, it } from 'vitest';
import { commands } from '../../../shared/contract.js';
import { createClient } from '../../../shared/client.js';
import { createDispatcher } from '../../../electron/core/dispatcher.js';
import { createEventBus } from '../../../electron/core/events.js';
import { createInProcessChannel } from '../../../electron/transports/in-process.js';
import { stubHandlers } from '../../support/stub-handlers.js';

function client(handlers: ReturnType<typeof stubHandlers>) {
  const events = createEventBus();
  return createClient(createInProcessChannel(createDispatcher({ handlers, events, newId: () => 'job-1' }), events));
}

describe('stubHandlers', () => {
  it('has a handler for every command the dispatcher does not answer itself', () => {
    const names = Object.keys(stubHandlers()).sort();
    expect(names).toEqual(Object.keys(commands).filter((name) => name !== 'job.cancel').sort());
  });

  it('keeps the handlers a test gives', async () => {
    const api = client(stubHandlers({ 'history.list': () => ({ runs: [] }) }));
    expect(await api.call('history.list', {})).toEqual({ runs: [] });
  });

  it('answers INTERNAL naming the command when a stub is reached, for queries and jobs', async () => {
    const api = client(stubHandlers());
    await expect(api.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('app.info has no handler') });
    await expect(api.run('build.run', { dir: '/ws' })).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('build.run has no handler') });
  });
});
