// Test-only crash points: named places where a crash test wants the process to die (SIGKILL) so the
// next process has to cope with exactly what was left. Production code calls `crashPoint(name)` at
// each place; it does nothing unless the composition root installed a hook, which it does only when
// CONVOY_TEST_CRASH_AT names a point (electron/app.ts). The core stays free of `process`: the hook is
// how the kill gets in.
let hook: ((point: string) => void) | null = null;

/** Installs (or, with null, removes) what a crash point does; the app does this once at start. */
export function installCrashHook(next: ((point: string) => void) | null): void {
  hook = next;
}

/** Marks a place a crash test may stop the process at. A no-op in normal runs. */
export function crashPoint(point: string): void {
  hook?.(point);
}

/**
 * Whether the `count`-th hit of `point` is the one CONVOY_TEST_CRASH_AT asks for: the value is a point
 * name, optionally `name#N` to die at its N-th hit (default the first).
 */
export function crashWanted(setting: string | undefined, point: string, count: number): boolean {
  if (!setting) return false;
  const hash = setting.lastIndexOf('#');
  const name = hash < 0 ? setting : setting.slice(0, hash);
  const nth = hash < 0 ? 1 : Number(setting.slice(hash + 1));
  return name === point && Number.isInteger(nth) && nth === count;
}
