// The object store: one global resourceVersion counter, uids, timestamps, and a bounded event log
// that watches replay from and subscribe to.
import { randomUUID } from 'node:crypto';
import type { ResourceInfo } from './resources.js';
import { clone, meta, timestamp, type KubeObject } from './util.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: string;
  namespace: string | null;
  rv: number;
  object: KubeObject;
  /** For MODIFIED: the object before the change (watches with selectors need it). */
  previous?: KubeObject;
}

const HISTORY_LIMIT = 5000;

export class Store {
  private version = 1;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  get resourceVersion(): string {
    return String(this.version);
  }

  private static key(resource: string, namespace: string | null, name: string): string {
    return `${resource}\u0000${namespace ?? ''}\u0000${name}`;
  }

  /** The stored object itself (callers must clone before handing it out or changing it). */
  peek(resource: string, namespace: string | null, name: string): KubeObject | undefined {
    return this.objects.get(Store.key(resource, namespace, name));
  }

  get(resource: string, namespace: string | null, name: string): KubeObject | undefined {
    return clone(this.peek(resource, namespace, name));
  }

  /**
   * The stored objects themselves, sorted by namespace/name, for read-only callers (the controllers and
   * filtered lists): no copy per object, so a pass over a full namespace stays cheap. Never change them.
   */
  scan(resource: string, namespace: string | null): readonly KubeObject[] {
    const prefix = namespace === null ? `${resource}\u0000` : `${resource}\u0000${namespace}\u0000`;
    const out: KubeObject[] = [];
    for (const [key, object] of this.objects) if (key.startsWith(prefix)) out.push(object);
    return out.sort((a, b) => {
      const ma = meta(a);
      const mb = meta(b);
      return `${ma.namespace ?? ''}/${ma.name}`.localeCompare(`${mb.namespace ?? ''}/${mb.name}`);
    });
  }

  /** Copies of the objects that pass `keep` (the filter runs first, so only the matches are copied). */
  list(resource: string, namespace: string | null, keep: (object: KubeObject) => boolean = () => true): KubeObject[] {
    return this.scan(resource, namespace).filter(keep).map((object) => clone(object));
  }

  /** Stores a new object: assigns uid, creationTimestamp, resourceVersion (and generation 1 where kept). */
  create(info: ResourceInfo, object: KubeObject): KubeObject {
    const stored = clone(object);
    const m = meta(stored);
    m.uid = randomUUID();
    m.creationTimestamp = timestamp();
    m.resourceVersion = String(++this.version);
    if (info.generation) m.generation = 1;
    const namespace = info.namespaced ? (m.namespace ?? null) : null;
    this.objects.set(Store.key(info.name, namespace, String(m.name)), stored);
    this.emit({ type: 'ADDED', resource: info.name, namespace, rv: this.version, object: clone(stored) });
    return clone(stored);
  }

  /** Replaces a stored object, bumping resourceVersion. */
  update(info: ResourceInfo, object: KubeObject): KubeObject {
    const stored = clone(object);
    const m = meta(stored);
    m.resourceVersion = String(++this.version);
    const namespace = info.namespaced ? (m.namespace ?? null) : null;
    const key = Store.key(info.name, namespace, String(m.name));
    const previous = this.objects.get(key);
    this.objects.set(key, stored);
    this.emit({ type: 'MODIFIED', resource: info.name, namespace, rv: this.version, object: clone(stored), previous: clone(previous) });
    return clone(stored);
  }

  remove(info: ResourceInfo, namespace: string | null, name: string): KubeObject | undefined {
    const key = Store.key(info.name, info.namespaced ? namespace : null, name);
    const existing = this.objects.get(key);
    if (!existing) return undefined;
    this.objects.delete(key);
    const gone = clone(existing);
    meta(gone).resourceVersion = String(++this.version);
    this.emit({ type: 'DELETED', resource: info.name, namespace: info.namespaced ? namespace : null, rv: this.version, object: clone(gone) });
    return gone;
  }

  /** Events after `rv`, or undefined when the log no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    const first = this.history[0];
    if (first && rv < first.rv - 1 && this.history.length >= HISTORY_LIMIT) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    for (const listener of [...this.listeners]) listener(event);
  }
}
