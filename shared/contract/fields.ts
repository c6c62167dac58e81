// Input fields that several features' commands share, checked the same way everywhere.
import { z } from 'zod';

export const GitRef = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\s\x00-\x1f\x7f]+$/, 'a git revision has no spaces or control characters')
  .refine((ref) => !ref.startsWith('-'), 'a git revision may not start with "-"');

export const Dir = z.string().min(1).max(4096);
export const EnvName = z.string().min(1).max(64);
export const ServiceName = z.string().min(1).max(256);
export const ProjectNames = z.array(z.string().min(1).max(256)).max(1000);
