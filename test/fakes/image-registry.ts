// An in-memory registry port: repositories hold digests; a push stores the image's digest (one per
// image, the same in every registry, as a real engine's push answers); the engine remembers the
// digests it pushed; `fail` scripts the next push failures.
import { ConvoyError } from '../../shared/errors.js';
import type { ImageRegistryPort, PushOptions } from '../../electron/core/ports/image-registry.js';

export class FakeImageRegistry implements ImageRegistryPort {
  readonly repositories = new Map<string, Set<string>>();
  readonly pushes: string[] = [];
  /** Local tags made by pushes: `repository:tag -> image`. */
  readonly tags: string[] = [];
  readonly checked: string[] = [];
  private readonly known = new Map<string, Set<string>>();
  private readonly failures: Array<{ transient: boolean; message: string }> = [];
  /** Hosts whose check fails with this message. */
  readonly refuse = new Map<string, string>();
  /** A different digest per registry host (an engine that does not keep the manifest). */
  digestPerHost = false;

  digestOf(image: string, repository = ''): string {
    const seed = this.digestPerHost ? `${repository.split('/')[0]}|${image}` : image;
    return `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;
  }

  fail(times: number, transient: boolean, message = 'received unexpected HTTP status: 500 Internal Server Error'): void {
    for (let i = 0; i < times; i++) this.failures.push({ transient, message });
  }

  async check(host: string): Promise<void> {
    this.checked.push(host);
    const refused = this.refuse.get(host);
    if (refused) throw new ConvoyError('IMAGE_PUSH_FAILED', refused);
  }

  async knownDigests(image: string): Promise<string[]> {
    return [...(this.known.get(image) ?? [])];
  }

  async hasManifest(repository: string, digest: string): Promise<boolean> {
    return this.repositories.get(repository)?.has(digest) ?? false;
  }

  async push(image: string, repository: string, tag: string, options: PushOptions = {}): Promise<{ digest: string }> {
    this.pushes.push(`${image} -> ${repository}`);
    // As the real adapter: the local tag first (through the journal hook), then the push.
    const tagIt = async () => void this.tags.push(`${repository}:${tag} -> ${image}`);
    await (options.tagged ? options.tagged(`${repository}:${tag}`, tagIt) : tagIt());
    const failure = this.failures.shift();
    if (failure) throw Object.assign(new ConvoyError('IMAGE_PUSH_FAILED', `push of ${repository} failed: ${failure.message}`), { transient: failure.transient });
    options.onProgress?.({ layer: 'abc123', status: 'Pushing', current: 1, total: 3 });
    options.onProgress?.({ layer: 'abc123', status: 'Pushing', current: 3, total: 3 });
    options.onProgress?.({ layer: 'abc123', status: 'Pushed', current: null, total: null });
    const digest = this.digestOf(image, repository);
    if (!this.repositories.has(repository)) this.repositories.set(repository, new Set());
    this.repositories.get(repository)!.add(digest);
    if (!this.known.has(image)) this.known.set(image, new Set());
    this.known.get(image)!.add(digest);
    return { digest };
  }
}
