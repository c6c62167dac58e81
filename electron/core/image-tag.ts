// How an image is tagged from its content hash: the build tags it so, and a plan predicts the same tag
// without building.

/** Hex digits of the hash used as the image tag; the full hash goes into a label. */
export const TAG_HASH_LENGTH = 16;

/** The image tag for a content hash (never `latest`). */
export function imageTag(contentHash: string): string {
  return contentHash.slice(0, TAG_HASH_LENGTH);
}
