import type { AppInfo } from '../../../shared/domain.js';
import type { TransportKind } from '../client/transport.js';
import { DockerBadge } from './DockerBadge.js';

interface HeaderProps {
  info: AppInfo | null;
  transport: TransportKind;
  checking: boolean;
  onRefresh: () => void;
}

const TRANSPORT_LABELS: Record<AppInfo['transport'], string> = {
  websocket: 'WebSocket (convoy serve)',
  ipc: 'Electron IPC',
  'in-process': 'in-process',
};

export function Header({ info, transport, checking, onRefresh }: HeaderProps) {
  return (
    <header className="header">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ▶▶
        </span>
        <h1>Convoy</h1>
        <span className="version" data-testid="app-version">
          {info ? `v${info.version}` : '…'}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Transport</dt>
          <dd data-testid="transport">{TRANSPORT_LABELS[info?.transport ?? transport]}</dd>
        </div>
        <div>
          <dt>Data dir</dt>
          <dd className="mono" data-testid="data-dir" title={info?.dataDir}>
            {info?.dataDir ?? '…'}
          </dd>
        </div>
      </dl>
      <div className="header-side">
        <DockerBadge docker={info?.docker ?? null} />
        <button type="button" className="ghost" onClick={onRefresh} disabled={checking} data-testid="refresh-info">
          {checking ? 'Checking…' : 'Re-check'}
        </button>
      </div>
    </header>
  );
}
