// The console page's Content-Security-Policy (shared/csp.ts), written out in full: every directive and
// value, their order, the separators, and what each option changes. The integration test
// (test/integration/server/renderer-csp.test.ts) proves its users agree with this module; this one pins
// the module itself, so a dropped directive or a loosened value fails here (and under Stryker).
import { describe, expect, it } from 'vitest';
import { CSP_PLACEHOLDER, contentSecurityPolicy, contentSecurityPolicyDirectives } from '../../../shared/csp.js';

const PRODUCTION =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'";

describe('contentSecurityPolicy', () => {
  it('gives the production header policy with no options (and with an empty options object)', () => {
    expect(contentSecurityPolicy()).toBe(PRODUCTION);
    expect(contentSecurityPolicy({})).toBe(PRODUCTION);
  });

  it('leaves frame-ancestors out of a <meta> policy only', () => {
    expect(contentSecurityPolicy({ forMeta: true })).toBe(PRODUCTION.replace("; frame-ancestors 'none'", ''));
    expect(contentSecurityPolicy({ forMeta: false })).toBe(PRODUCTION);
  });

  it("allows inline scripts only when asked, and only in script-src", () => {
    expect(contentSecurityPolicy({ inlineScripts: true })).toBe(PRODUCTION.replace("script-src 'self';", "script-src 'self' 'unsafe-inline';"));
    expect(contentSecurityPolicy({ inlineScripts: false })).toBe(PRODUCTION);
  });

  it('adds the given sockets after its own origin in connect-src, in order', () => {
    expect(contentSecurityPolicy({ connect: ['ws://127.0.0.1:4000', 'ws://localhost:5173'] })).toBe(
      PRODUCTION.replace("connect-src 'self';", "connect-src 'self' ws://127.0.0.1:4000 ws://localhost:5173;"),
    );
    expect(contentSecurityPolicy({ connect: [] })).toBe(PRODUCTION);
  });
});

describe('contentSecurityPolicyDirectives', () => {
  it('lists the directives as [name, values] pairs, connect-src second', () => {
    const directives = contentSecurityPolicyDirectives({ connect: ['ws://127.0.0.1:4000'], forMeta: true });
    expect(directives[0]).toEqual(['default-src', ["'self'"]]);
    expect(directives[1]).toEqual(['connect-src', ["'self'", 'ws://127.0.0.1:4000']]);
    expect(directives.map(([name]) => name)).toEqual(['default-src', 'connect-src', 'script-src', 'style-src', 'img-src', 'font-src', 'object-src', 'base-uri', 'form-action', 'frame-src']);
  });

  it('hands out a new list each time: changing one does not change the next policy', () => {
    contentSecurityPolicyDirectives()[0]![1].push('https://evil.example');
    expect(contentSecurityPolicy()).toBe(PRODUCTION);
  });
});

describe('CSP_PLACEHOLDER', () => {
  it('is the token index.html carries for the Vite build to replace', () => {
    expect(CSP_PLACEHOLDER).toBe('%CONVOY_CSP%');
  });
});
