// The console page's Content-Security-Policy, written once. Every user builds it here: the Electron
// shell's response header (electron/shell/shell-config.ts), `convoy serve`'s header (the WebSocket
// server), and the page's own <meta>, which `vite build` writes into index.html because the Electron
// window loads the page from file://, where no header can bring a policy.
// test/integration/server/renderer-csp.test.ts proves all of them agree with this module.

export interface CspOptions {
  /** Allow inline scripts: only the Vite dev server needs them (its React-refresh preamble). */
  inlineScripts?: boolean;
  /** Sockets the page may open besides its own origin: `convoy serve`'s ws://HOST:PORT, Vite's HMR socket. */
  connect?: readonly string[];
  /** A <meta> policy cannot carry frame-ancestors (browsers ignore it there), so it is left out. */
  forMeta?: boolean;
}

/** The directives in order. connect-src comes second so the socket rule reads first in a header. */
export function contentSecurityPolicyDirectives(options: CspOptions = {}): Array<[string, string[]]> {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['connect-src', ["'self'", ...(options.connect ?? [])]],
    ['script-src', options.inlineScripts ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'", 'data:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
  ];
  if (!options.forMeta) directives.push(['frame-ancestors', ["'none'"]]);
  return directives;
}

/** The policy as one header or <meta> value. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  return contentSecurityPolicyDirectives(options)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The placeholder index.html carries; the Vite build replaces it with the <meta> policy. */
export const CSP_PLACEHOLDER = '%CONVOY_CSP%';
