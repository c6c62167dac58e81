// The contract over the in-process channel (what the CLI uses).
import fs from 'node:fs';
import { createApp } from '../../../electron/app.js';
import { createClient } from '../../../shared/client.js';
import { contractAppOptions, runContractSuite, tempDataDir } from './contract-suite.js';

runContractSuite(
  'contract over the in-process channel',
  async () => {
    const dataDir = tempDataDir();
    const app = createApp(contractAppOptions(dataDir));
    const client = createClient(app.channel());
    return {
      client,
      async close() {
        client.close();
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
  { expectedTransport: 'in-process' },
);
