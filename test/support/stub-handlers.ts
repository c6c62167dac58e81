// Handlers for every command a test does not care about, so a test names only the handlers it
// exercises and a new command in the contract needs no edit here or in those tests. A stub that is
// reached answers INTERNAL naming the command, so a test that depends on it by mistake fails loudly.
import { commands } from '../../shared/contract.js';
import { ConvoyError } from '../../shared/errors.js';
import type { Handlers } from '../../electron/core/dispatcher.js';

/** The dispatcher answers these itself; they take no handler. */
const BUILTIN = new Set(['job.cancel']);

export function stubHandlers(given: Partial<Handlers> = {}): Handlers {
  const stubs = Object.fromEntries(
    Object.keys(commands)
      .filter((name) => !BUILTIN.has(name))
      .map((name) => [
        name,
        async () => {
          throw new ConvoyError('INTERNAL', `${name} has no handler in this test; pass one to stubHandlers()`);
        },
      ]),
  );
  return { ...stubs, ...given } as Handlers;
}
