#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx convoy` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
await main();
