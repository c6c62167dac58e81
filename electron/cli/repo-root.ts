// The checkout's root, from this module's own URL. It sits two folders down both in the source tree
// (electron/cli/) and in the CLI bundle (dist/cli/, where build/build-cli.mjs keeps every chunk flat),
// so one relative URL serves both ways of running the CLI.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
