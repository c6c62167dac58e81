// Small display helpers shared by the components.
import { ConvoyError } from '../../../shared/errors.js';

/** The message a person reads for anything a call or the connection threw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ConvoyError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string | null {
  return err instanceof ConvoyError ? err.code : null;
}
