// Child process for the lease test: opens the store in argv[2] and asks for environment argv[3]'s
// lease for run argv[4]. It prints one JSON line: {"held": …} once it holds the lease (then, with
// mode "hold", keeps it until it is killed; with "once", releases it and exits 0), or {"refused": …}
// with the error's code and message (exit 3). Mode "exit" holds the lease through the app
// (createApp's keeper) and calls process.exit while holding it, as a CLI command that ends would.
import { createApp } from '../../../electron/app.js';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { currentProcess } from '../../../electron/adapters/system/process-identity.js';
import { createLeaseKeeper } from '../../../electron/core/lease.js';

const [dataDir, environment, runId, mode] = process.argv.slice(2);
if (!dataDir || !environment || !runId || (mode !== 'hold' && mode !== 'once' && mode !== 'exit')) {
  process.stderr.write('usage: contender.ts <dataDir> <environment> <runId> hold|once|exit\n');
  process.exit(2);
}

if (mode === 'exit') {
  const app = createApp({ dataDir });
  await app.leases.hold(environment, runId, async ({ lease, reclaimed }) => {
    process.stdout.write(`${JSON.stringify({ held: { lease, reclaimed } })}\n`, () => process.exit(0));
    await new Promise(() => setInterval(() => {}, 60_000));
  });
}

const store = openStore(dataDir);
const leases = createLeaseKeeper({ store, self: currentProcess() });
const print = (value: unknown) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(value)}\n`, () => resolve()));

try {
  await leases.hold(environment, runId, async ({ lease, reclaimed }) => {
    await print({ held: { lease, reclaimed } });
    // A pending timer keeps the process alive (the keeper's heartbeat timer does not) until SIGKILL.
    if (mode === 'hold') await new Promise(() => setInterval(() => {}, 60_000));
  });
  store.close();
} catch (err) {
  await print({ refused: { code: (err as { code?: string }).code, message: (err as Error).message } });
  store.close();
  process.exit(3);
}
