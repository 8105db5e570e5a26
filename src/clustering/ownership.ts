// The one ownership service every clustered component asks: "is this key mine?".
// A standalone process (clustering disabled) owns everything.
import { createHash } from 'node:crypto';

export interface Peer {
  name: string;
  address: string;
  state: 'viewer' | 'participant' | 'terminating';
  isSelf: boolean;
  /** Base URL of the peer's HTTP server, when it advertises one (gossip metadata). */
  httpAddress?: string;
}

export interface ClusterOwnership {
  readonly enabled: boolean;
  /** This node's name. */
  readonly self: string;
  /** Name of the participant owning the key, undefined when nobody does (e.g. waiting for size). */
  ownerOf(key: string): string | undefined;
  owns(key: string): boolean;
  /** Called (batched) whenever the owner of any key may have changed. Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  peers(): Peer[];
}

/**
 * Stable key of a target: its labels minus `__meta_*` and the excluded names,
 * sorted, hashed. Every node computes the same key for the same target.
 */
export function targetKey(labels: Record<string, string>, excluded: readonly string[] = []): string {
  const names = Object.keys(labels)
    .filter((n) => !n.startsWith('__meta_') && !excluded.includes(n))
    .sort();
  const h = createHash('sha256');
  for (const n of names) h.update(n).update('\x00').update(labels[n]).update('\x01');
  return h.digest('hex').slice(0, 32);
}

export class StandaloneOwnership implements ClusterOwnership {
  readonly enabled = false;
  constructor(readonly self: string) {}
  ownerOf(): string {
    return this.self;
  }
  owns(): boolean {
    return true;
  }
  onChange(): () => void {
    return () => {};
  }
  peers(): Peer[] {
    return [{ name: this.self, address: '', state: 'participant', isSelf: true }];
  }
}
