// WATCH streams: chunked JSON lines of {type, object}, starting from a resourceVersion (replaying
// the event log) or from the current state, filtered by namespace and selectors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from './resources.js';
import type { LabelMatcher, ObjectMatcher } from './selectors.js';
import { statusObject } from './status.js';
import type { Store, StoreEvent } from './store.js';
import { toTable } from './table.js';
import { meta, type KubeObject } from './util.js';

export interface WatchRequest {
  info: ResourceInfo;
  namespace: string | null;
  labels: LabelMatcher;
  fields: ObjectMatcher;
  resourceVersion: string | null;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  /** Wrap each event's object in a one-row Table (`kubectl get -w` asks for server-side printing). */
  table: boolean;
}

export class Watches {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly store: Store) {}

  serve(req: IncomingMessage, res: ServerResponse, watch: WatchRequest): void {
    const selected = (object: KubeObject | undefined) => object !== undefined && watch.labels(meta(object).labels) && watch.fields(object);
    /** The event as this watcher sees it: an object entering the selection is ADDED, one leaving it DELETED. */
    const translate = (event: StoreEvent): string | undefined => {
      if (event.resource !== watch.info.name || (watch.namespace !== null && event.namespace !== watch.namespace)) return undefined;
      const now = selected(event.object);
      if (event.type !== 'MODIFIED') return now ? event.type : undefined;
      const before = selected(event.previous);
      if (now) return before ? 'MODIFIED' : 'ADDED';
      return before ? 'DELETED' : undefined;
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    // Send the headers now: clients (client-go's reflector) wait for them before they can stop.
    res.flushHeaders();
    this.open.add(res);
    const send = (type: string, object: KubeObject) => {
      if (res.writableEnded) return;
      const body = watch.table && type !== 'BOOKMARK' && type !== 'ERROR' ? toTable(watch.info, [object], String(meta(object).resourceVersion)) : object;
      res.write(`${JSON.stringify({ type, object: body })}\n`);
    };

    const rv = watch.resourceVersion;
    const fromState = watch.sendInitialEvents || rv === null || rv === '' || rv === '0';
    if (fromState) {
      for (const object of this.store.list(watch.info.name, watch.info.namespaced ? watch.namespace : null)) {
        if (watch.labels(meta(object).labels) && watch.fields(object)) send('ADDED', object);
      }
      if (watch.sendInitialEvents && watch.allowBookmarks) {
        send('BOOKMARK', {
          kind: watch.info.kind,
          apiVersion: watch.info.group ? `${watch.info.group}/${watch.info.version}` : watch.info.version,
          metadata: { resourceVersion: this.store.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      const since = this.store.eventsSince(Number(rv));
      if (!since || !Number.isFinite(Number(rv))) {
        send('ERROR', statusObject(410, 'Expired', `too old resource version: ${rv} (${this.store.resourceVersion})`));
        this.finish(res);
        return;
      }
      for (const event of since) {
        const type = translate(event);
        if (type) send(type, event.object);
      }
    }
    const unsubscribe = this.store.subscribe((event) => {
      const type = translate(event);
      if (type) send(type, event.object);
    });
    const timeout = setTimeout(() => this.finish(res), (watch.timeoutSeconds ?? 1800) * 1000);
    const cleanup = () => {
      clearTimeout(timeout);
      unsubscribe();
      this.open.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  }

  private finish(res: ServerResponse): void {
    this.open.delete(res);
    if (!res.writableEnded) res.end();
  }

  closeAll(): void {
    for (const res of [...this.open]) this.finish(res);
  }
}
