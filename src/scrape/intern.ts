// Label strings arriving from the scrape workers are fresh copies (structured
// clone), so every series would keep its own copy of names like "job" and of
// values shared by many series. The main thread keeps these arrays for the
// series' lifetime (scheduler, WAL, queue), and the old-generation GC scans
// every one of them; sharing one string per distinct text cuts the retained
// heap by most of the label strings.

/** Beyond this many distinct strings the table starts over (it is only a cache). */
const MAX_ENTRIES = 200_000;

export class StringInterner {
  private table = new Map<string, string>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** Replaces each element of `pairs` by the shared copy of its text (in place) and returns `pairs`. */
  internAll(pairs: string[]): string[] {
    let table = this.table;
    for (let i = 0; i < pairs.length; i++) {
      const s = pairs[i]!;
      const have = table.get(s);
      if (have !== undefined) {
        pairs[i] = have;
        continue;
      }
      if (table.size >= this.maxEntries) {
        table = this.table = new Map();
      }
      table.set(s, s);
    }
    return pairs;
  }

  get size(): number {
    return this.table.size;
  }
}
