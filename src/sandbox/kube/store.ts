// Versioned object storage: one global resourceVersion counter (like etcd's revision), an event
// history for watch resume, and synchronous listeners that watch streams subscribe to.
// Stored objects are never mutated in place; every write stores a fresh copy, so a list snapshot
// is just an array of references.

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  /** storage key (`group/resource`) */
  key: string;
  obj: any;
  /** Previous state for MODIFIED and DELETED (selector transitions need it). */
  old?: any;
}

export type StoreListener = (ev: StoreEvent) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private rv: number;
  private readonly objects = new Map<string, Map<string, any>>();
  private history: StoreEvent[] = [];
  /** Watches from a resourceVersion below this one cannot be served (410 Gone). */
  private compacted: number;
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit: number, startRv = 1000) {
    this.rv = startRv;
    this.compacted = startRv;
  }

  currentRv(): number {
    return this.rv;
  }

  compactedRv(): number {
    return this.compacted;
  }

  get(key: string, namespace: string | undefined, name: string): any | undefined {
    return this.objects.get(key)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource, in key order (namespace, then name), like etcd range reads. */
  list(key: string, namespace?: string): any[] {
    const m = this.objects.get(key);
    if (!m) return [];
    const out: Array<[string, any]> = [];
    for (const [k, v] of m) if (namespace === undefined || (v.metadata?.namespace ?? '') === namespace) out.push([k, v]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.map((e) => e[1]);
  }

  /** Stores `obj` (whose metadata is complete except resourceVersion) and emits ADDED/MODIFIED. */
  put(key: string, obj: any): any {
    const rv = ++this.rv;
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    let m = this.objects.get(key);
    if (!m) this.objects.set(key, (m = new Map()));
    const k = objectKey(stored.metadata.namespace, stored.metadata.name);
    const old = m.get(k);
    m.set(k, stored);
    this.emit({ type: old ? 'MODIFIED' : 'ADDED', rv, key, obj: stored, old });
    return stored;
  }

  /** Removes an object; the DELETED event carries the deletion's resourceVersion, as the apiserver does. */
  delete(key: string, namespace: string | undefined, name: string): any | undefined {
    const m = this.objects.get(key);
    const k = objectKey(namespace, name);
    const old = m?.get(k);
    if (!m || !old) return undefined;
    m.delete(k);
    const rv = ++this.rv;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', rv, key, obj: gone, old });
    return gone;
  }

  /** Events with rv > `since` for one resource; undefined when history no longer covers `since`. */
  eventsSince(key: string, since: number): StoreEvent[] | undefined {
    if (since < this.compacted) return undefined;
    return this.history.filter((e) => e.rv > since && e.key === key);
  }

  /** Forget all history: every resourceVersion older than the current one is now too old. */
  expireHistory(): void {
    this.history = [];
    this.compacted = this.rv;
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = dropped[dropped.length - 1].rv;
    }
    for (const l of [...this.listeners]) l(ev);
  }
}
