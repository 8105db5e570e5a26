// A stand-in for the clustering service in multi-process tests: the member
// list lives in a JSON file every process watches; each key goes to the
// member with the highest hash of (member, key) (rendezvous hashing), so all
// processes agree without talking to each other.
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { ClusterOwnership, Peer } from '../../src/clustering/ownership.js';

export class FileOwnership implements ClusterOwnership {
  readonly enabled = true;
  #members: string[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly self: string,
    private readonly file: string,
  ) {
    this.#load();
    watchFile(file, { interval: 50 }, () => {
      const before = this.#members.join(',');
      this.#load();
      if (this.#members.join(',') !== before) for (const l of [...this.#listeners]) l();
    });
  }

  #load(): void {
    try {
      this.#members = (JSON.parse(readFileSync(this.file, 'utf8')) as { members: string[] }).members.slice().sort();
    } catch {
      /* a half-written file: keep the previous members */
    }
  }

  ownerOf(key: string): string | undefined {
    let best: string | undefined;
    let bestScore = '';
    for (const m of this.#members) {
      const score = createHash('sha256').update(m).update('\0').update(key).digest('hex');
      if (score > bestScore) [best, bestScore] = [m, score];
    }
    return best;
  }

  owns(key: string): boolean {
    return this.ownerOf(key) === this.self;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  peers(): Peer[] {
    return this.#members.map((m) => ({ name: m, address: '', state: 'participant', isSelf: m === this.self }));
  }

  close(): void {
    unwatchFile(this.file);
  }
}
