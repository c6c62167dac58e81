// The in-process transport: a Channel straight onto the dispatcher. Values are cloned both ways so
// that tests see exactly what a wire would carry (no shared mutable objects, no functions).
import type { Channel } from '../../shared/channel.js';
import type { Dispatcher, TransportName } from '../core/dispatcher.js';
import type { EventBus } from '../core/events.js';

export function createInProcessChannel(
  dispatcher: Dispatcher,
  bus: EventBus,
  transport: TransportName = 'in-process',
): Channel {
  return {
    async invoke(name, input) {
      return structuredClone(await dispatcher.dispatch(name, structuredClone(input), { transport }));
    },
    onEvent(listener) {
      return bus.subscribe((name, payload) => listener(name, structuredClone(payload)));
    },
  };
}
