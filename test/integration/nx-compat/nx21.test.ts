// Nx 21: see compat-suite.ts. One file per major, so vitest runs the majors in parallel workers.
import { compatSuite } from './compat-suite.js';
import { COMPAT_VERSIONS } from './nx-install.js';

compatSuite(COMPAT_VERSIONS[21]);
