// The console shell: connects through the chosen transport, then shows the app info, the Docker
// Engine status, the workspace graph, the affected set, builds and the environments. Everything goes through the typed client.
import { useCallback, useEffect, useState } from 'react';
import { type ConvoyClient, createClient } from '../../shared/client.js';
import type { AppInfo } from '../../shared/domain.js';
import { AffectedPanel } from './components/AffectedPanel.js';
import { BuildPanel } from './components/BuildPanel.js';
import { EnvironmentPanel } from './components/EnvironmentPanel.js';
import { Header } from './components/Header.js';
import { WorkspacePanel } from './components/WorkspacePanel.js';
import { errorMessage } from './format.js';
import type { Connection } from './transport.js';

type ConnectionState =
  | { phase: 'connecting' }
  | { phase: 'failed'; message: string }
  | { phase: 'ready'; client: ConvoyClient; connection: Connection };

export interface AppProps {
  /** Opens the transport; called once per mount. */
  connect: () => Promise<Connection>;
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
  return <Console client={state.client} transport={state.connection.kind} lost={lost} />;
}

interface ConsoleProps {
  client: ConvoyClient;
  transport: Connection['kind'];
  lost: string | null;
}

function Console({ client, transport, lost }: ConsoleProps) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [workspaceDir, setWorkspaceDir] = useState('');

  const loadInfo = useCallback(async () => {
    setChecking(true);
    try {
      setInfo(await client.call('app.info', {}));
      setInfoError(null);
    } catch (err) {
      setInfoError(errorMessage(err));
    } finally {
      setChecking(false);
    }
  }, [client]);

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  return (
    <div className="shell">
      <Header info={info} transport={transport} checking={checking} onRefresh={() => void loadInfo()} />
      {lost && (
        <div className="banner error" role="alert" data-testid="connection-lost">
          {lost}
        </div>
      )}
      {infoError && (
        <div className="banner error" role="alert" data-testid="info-error">
          Could not load the app info: {infoError}
        </div>
      )}
      <main className="panels">
        <WorkspacePanel client={client} dir={workspaceDir} onDirChange={setWorkspaceDir} />
        <AffectedPanel client={client} dir={workspaceDir} />
        <BuildPanel client={client} dir={workspaceDir} />
        <EnvironmentPanel client={client} dir={workspaceDir} />
      </main>
    </div>
  );
}
