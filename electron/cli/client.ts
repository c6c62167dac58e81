// The typed client over an open app's in-process channel. Loaded on first use, with the app: the
// contract's schemas (zod) are needed once a command talks to the core, never for --help or --version.
import type { App } from '../app.js';
import type { ConvoyClient } from '../../shared/client.js';

export async function clientFor(app: App): Promise<ConvoyClient> {
  const { createClient } = await import('../../shared/client.js');
  return createClient(app.channel());
}
