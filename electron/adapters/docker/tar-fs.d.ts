// The part of tar-fs (3.x, no bundled types) that build-context.ts uses.
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';

  export interface PackOptions {
    /** Paths relative to cwd to pack, in this order; directories are walked unless `ignore` says no. */
    entries?: string[];
    /** Called with the absolute path of each child found while walking a directory; true skips it. */
    ignore?: (name: string) => boolean;
    dereference?: boolean;
    strict?: boolean;
    umask?: number;
  }

  export function pack(cwd: string, options?: PackOptions): Readable;
}
