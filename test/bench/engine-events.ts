// What the Docker Engine itself saw, for the benches: every image build that succeeds ends by tagging
// its image, so the engine's `image tag` events for the bench's repositories count the builds made —
// independent of Convoy's own report (a cache that wrongly calls the engine cannot hide behind it).
import type Docker from 'dockerode';

export interface EngineTag {
  /** repository:tag as the engine reports it. */
  name: string;
  /** Nanoseconds since the epoch, on the engine's (here: the same machine's) clock. */
  timeNano: number;
}

/** The `image tag` events between two wall-clock times (ms), for names starting with `prefix`. */
export async function engineTags(docker: Docker, prefix: string, fromMs: number, toMs: number): Promise<EngineTag[]> {
  // A finished window (`until` in the past) makes the engine send what it has and close the stream.
  const stream = (await docker.getEvents({
    since: Math.floor(fromMs / 1000),
    until: Math.ceil(toMs / 1000) + 1,
    filters: JSON.stringify({ type: ['image'], event: ['tag'] }),
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { Actor?: { Attributes?: { name?: string } }; timeNano?: number })
    .map((event) => ({ name: event.Actor?.Attributes?.name ?? '', timeNano: event.timeNano ?? 0 }))
    .filter((tag) => tag.name.startsWith(prefix));
}

/** How many of `tags` fall inside [startMs, endMs]. */
export function tagsWithin(tags: readonly EngineTag[], startMs: number, endMs: number): number {
  return tags.filter((tag) => tag.timeNano >= startMs * 1e6 && tag.timeNano <= endMs * 1e6).length;
}
