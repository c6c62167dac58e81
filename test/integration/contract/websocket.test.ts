// The contract over the real WebSocket server (what `convoy serve` offers the browser), through the
// Node-side channel: a real port on 127.0.0.1, the token, JSON frames both ways.
import fs from 'node:fs';
import { createApp } from '../../../electron/app.js';
import { connectWebSocket } from '../../../electron/transports/ws/ws-channel-node.js';
import { startServer } from '../../../electron/transports/ws/ws-server.js';
import { createClient } from '../../../shared/client.js';
import { contractAppOptions, runContractSuite, tempDataDir } from './contract-suite.js';

runContractSuite(
  'contract over the WebSocket server',
  async () => {
    const dataDir = tempDataDir();
    const app = createApp(contractAppOptions(dataDir));
    // No renderer is needed: the suite speaks only to /ws.
    const server = await startServer({ app, port: 0, staticDir: dataDir });
    const channel = await connectWebSocket(server.url);
    const client = createClient(channel);
    return {
      client,
      async close() {
        client.close();
        channel.close();
        await server.close();
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
  // The Node channel refuses an oversized input itself with MESSAGE_TOO_LARGE (the default expectation),
  // so the socket stays usable; the server's own 1009 close is covered in test/integration/server.
  { expectedTransport: 'websocket' },
);
