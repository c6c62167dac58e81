// Secrets recognised by their shape rather than because someone declared them: a variable whose name
// says it holds one (API_TOKEN, DB_PASSWORD …), a URL carrying a password (`postgres://app:pw@db`), an
// Authorization value (`Bearer …`, `Basic …`). Diffs mask such values structurally, and the redaction
// gate hides them in any text. Pure.

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// scheme://user:password@host — the password is everything up to the last '@' before the host.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s/@]+)@/gi;
// An Authorization scheme followed by its credential ("Basic" only when the value decodes to user:password,
// so that prose such as "Basic setup" stays readable).
const AUTH_VALUE = /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=:-]{8,})/g;

function isCredential(scheme: string, token: string): boolean {
  if (token === CREDENTIAL_MASK) return false;
  if (scheme === 'Bearer') return true;
  try {
    return /^[A-Za-z0-9+/]+={0,2}$/.test(token) && atob(token).includes(':');
  } catch {
    return false;
  }
}

export const CREDENTIAL_MASK = '[redacted]';

/** The credentials a value carries (URL passwords, Bearer/Basic values); empty when none. */
export function credentialsIn(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(URL_USERINFO)) {
    const password = m[2]!;
    out.push(password);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded !== password) out.push(decoded);
    } catch {
      // not percent-encoded text: the raw form is enough
    }
  }
  for (const m of value.matchAll(AUTH_VALUE)) if (isCredential(m[1]!, m[3]!)) out.push(m[3]!);
  return out.filter((s) => s !== CREDENTIAL_MASK);
}

export function carriesCredentials(value: string): boolean {
  return credentialsIn(value).length > 0;
}

/** The text with every URL password and Authorization credential replaced by [redacted]. */
export function maskCredentials(text: string): string {
  return text
    .replace(URL_USERINFO, (_m, head: string) => `${head}:${CREDENTIAL_MASK}@`)
    .replace(AUTH_VALUE, (m, scheme: string, space: string, token: string) => (isCredential(scheme, token) ? `${scheme}${space}${CREDENTIAL_MASK}` : m));
}

/**
 * Whether an environment variable's value is a secret: declared so (its value is among `declared`,
 * or contains one), named like one, or carrying credentials.
 */
export function isSecretEnv(name: string, value: string, declared: ReadonlySet<string> = new Set()): boolean {
  if (isSecretName(name) || carriesCredentials(value)) return true;
  if (declared.has(value)) return true;
  for (const secret of declared) if (secret.length >= 4 && value.includes(secret)) return true;
  return false;
}
