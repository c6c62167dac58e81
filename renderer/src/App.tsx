// The console: connects through the chosen transport, then gives every screen the typed client
// (through context) and the router. Hash addresses (#/build, #/history/<runId>) work from file:// in
// Electron and over `convoy serve` alike.
import { useEffect, useState } from 'react';
import { HashRouter } from 'react-router';
import { type ConvoyClient, createClient } from '../../shared/client.js';
import { ClientProvider } from './client/client-context.js';
import { Console } from './shell/Console.js';
import { HOME } from './shell/routes.js';
import { errorMessage } from './ui/format.js';
import type { Connection } from './client/transport.js';

type ConnectionState =
  | { phase: 'connecting' }
  | { phase: 'failed'; message: string }
  | { phase: 'ready'; client: ConvoyClient; connection: Connection };

export interface AppProps {
  /** Opens the transport; called once per mount. */
  connect: () => Promise<Connection>;
}

/**
 * The bare address names the home screen. Set before the router mounts, so the first screen shown is
 * already the address's: a redirect after mount (the index route's <Navigate>) could overtake a
 * click made in the meantime and undo it.
 */
function startAtHome(): void {
  if (/^(#\/?)?$/.test(window.location.hash)) window.history.replaceState(window.history.state, '', `#${HOME}`);
}

export function App({ connect }: AppProps) {
  const [state, setState] = useState<ConnectionState>({ phase: 'connecting' });
  const [lost, setLost] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    let cleanup = () => {};
    connect().then(
      (connection) => {
        if (!active) {
          connection.close();
          return;
        }
        const client = createClient(connection.channel);
        const offClose = connection.onClose((err) => setLost(err.message));
        cleanup = () => {
          offClose();
          client.close();
          connection.close();
        };
        startAtHome();
        setState({ phase: 'ready', client, connection });
      },
      (err: unknown) => {
        if (active) setState({ phase: 'failed', message: errorMessage(err) });
      },
    );
    return () => {
      active = false;
      cleanup();
    };
  }, [connect]);

  if (state.phase === 'connecting') {
    return (
      <main className="shell">
        <p className="muted" data-testid="connecting">
          Connecting to Convoy…
        </p>
      </main>
    );
  }
  if (state.phase === 'failed') {
    return (
      <main className="shell">
        <section className="panel refusal" role="alert" data-testid="connection-error">
          <h1>Cannot connect to Convoy</h1>
          <p>{state.message}</p>
        </section>
      </main>
    );
  }
  return (
    <ClientProvider client={state.client} transport={state.connection.kind}>
      <HashRouter>
        <Console lost={lost} />
      </HashRouter>
    </ClientProvider>
  );
}
