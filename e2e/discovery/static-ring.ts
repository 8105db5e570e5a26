// A cluster membership fixed by the test (or bench): the real ring (src/clustering/ring.ts)
// over the names given, with setMembers() standing in for a member joining or leaving.
import type { ClusterOwnership, Peer } from '../../src/clustering/ownership.js';
import { ringFor, type Ring } from '../../src/clustering/ring.js';

export class StaticRing implements ClusterOwnership {
  readonly enabled = true;
  #ring: Ring;
  #members: string[];
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly self: string,
    members: string[],
  ) {
    this.#members = [...members].sort();
    this.#ring = ringFor(this.#members);
  }

  setMembers(members: string[]): void {
    this.#members = [...members].sort();
    this.#ring = ringFor(this.#members);
    for (const l of [...this.#listeners]) l();
  }

  ownerOf(key: string): string | undefined {
    return this.#ring.ownerOf(key);
  }

  owns(key: string): boolean {
    return this.ownerOf(key) === this.self;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  peers(): Peer[] {
    return this.#members.map((name) => ({ name, address: '', state: 'participant' as const, isSelf: name === this.self }));
  }
}
