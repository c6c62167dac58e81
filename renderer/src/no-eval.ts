// Zod compiles fast object parsers with `new Function` unless configured `jitless`; under the console's
// CSP (no 'unsafe-eval') that attempt is refused and logged as a violation. The renderer may not import
// zod itself (it sees only shared/), but zod picks up this global config object when it loads, so
// seeding it here — imported first by main.tsx, before anything reaches shared/ — keeps zod eval-free.
const scope = globalThis as { __zod_globalConfig?: Record<string, unknown> };
scope.__zod_globalConfig = { ...scope.__zod_globalConfig, jitless: true };

export {};
