// The console once connected: the header (app info, Docker), banners, the workspace bar, the screen
// links, and the screen the address names.
import { useEffect } from 'react';
import { Link, NavLink, Navigate, Route, Routes } from 'react-router';
import { useTransport } from '../client/client-context.js';
import { useCommand } from '../client/use-command.js';
import { WorkspaceBar } from '../features/workspace/WorkspaceBar.js';
import { WorkspaceProvider } from '../features/workspace/workspace-context.js';
import { Header } from './Header.js';
import { HOME, screens } from './routes.js';

export function Console({ lost }: { lost: string | null }) {
  const transport = useTransport();
  const info = useCommand('app.info');
  const { run } = info;

  useEffect(() => {
    void run({});
  }, [run]);

  return (
    <WorkspaceProvider>
      <div className="shell">
        <Header info={info.output} transport={transport} checking={info.running} onRefresh={() => void run({})} />
        {lost && (
          <div className="banner error" role="alert" data-testid="connection-lost">
            {lost}
          </div>
        )}
        {info.error && (
          <div className="banner error" role="alert" data-testid="info-error">
            Could not load the app info: {info.error}
          </div>
        )}
        <nav className="nav" aria-label="Screens">
          {screens.map((screen) => (
            <NavLink key={screen.path} to={`/${screen.path}`} data-testid={`nav-${screen.path}`}>
              {screen.label}
            </NavLink>
          ))}
        </nav>
        <WorkspaceBar />
        <main className="panels">
          <Routes>
            <Route index element={<Navigate to={HOME} replace />} />
            {screens.map((screen) => (
              <Route key={screen.path} path={screen.path}>
                <Route index element={screen.element} />
                {screen.children?.map((child) => <Route key={child} path={child} element={screen.element} />)}
              </Route>
            ))}
            <Route path="*" element={<NotFound />} />
          </Routes>
        </main>
      </div>
    </WorkspaceProvider>
  );
}

function NotFound() {
  return (
    <section className="panel" data-testid="not-found">
      <h2>No such screen</h2>
      <p className="muted">
        This address names no screen of the console. <Link to={HOME}>Go to the workspace</Link>.
      </p>
    </section>
  );
}
