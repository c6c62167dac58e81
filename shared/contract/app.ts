// `app.*`: what the running Convoy is (version, data folder, transport, Docker, store schema).
import { z } from 'zod';
import { AppInfo } from '../domain.js';
import { query } from './define.js';

export const appCommands = {
  'app.info': query(z.object({}).strict(), AppInfo),
} as const;

export const appEvents = {} as const;
