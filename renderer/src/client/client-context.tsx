// The typed client reaches every screen through React context, so no component passes it down.
import { type ReactNode, createContext, useContext } from 'react';
import type { ConvoyClient } from '../../../shared/client.js';
import type { TransportKind } from './transport.js';

interface ClientContextValue {
  client: ConvoyClient;
  transport: TransportKind;
}

const ClientContext = createContext<ClientContextValue | null>(null);

export function ClientProvider({ client, transport, children }: ClientContextValue & { children: ReactNode }) {
  return <ClientContext.Provider value={{ client, transport }}>{children}</ClientContext.Provider>;
}

function useClientContext(): ClientContextValue {
  const value = useContext(ClientContext);
  // A programming error, not a user one: every screen renders inside App's provider.
  if (!value) throw new Error('useClient() was called outside <ClientProvider>; render the screen inside App.');
  return value;
}

export function useClient(): ConvoyClient {
  return useClientContext().client;
}

export function useTransport(): TransportKind {
  return useClientContext().transport;
}
