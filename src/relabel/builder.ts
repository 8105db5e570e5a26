// Mutable views over an immutable label set, used by the engine while it
// applies rules. Both views copy on first real change, so a rule list that
// changes nothing allocates nothing and hands back the input itself.
// As in Prometheus, an empty value is the same as a missing label: setting
// '' deletes.
import type { LabelPairs } from '../pipeline/metrics.js';

export interface LabelBuilder {
  get(name: string): string;
  set(name: string, value: string): void;
  del(name: string): void;
  /** Calls fn for every label as it was when range() was called (changes made by fn are not seen). */
  range(fn: (name: string, value: string) => void): void;
}

/** Over a target's label object. */
export class RecordBuilder implements LabelBuilder {
  private out: Record<string, string> | undefined;

  constructor(private readonly base: Record<string, string>) {}

  private get current(): Record<string, string> {
    return this.out ?? this.base;
  }

  get(name: string): string {
    const cur = this.current;
    return Object.hasOwn(cur, name) ? cur[name]! : '';
  }

  set(name: string, value: string): void {
    if (value === '') return this.del(name);
    const cur = this.current;
    if (Object.hasOwn(cur, name) && cur[name] === value) return;
    const out = this.writable();
    // defineProperty: a label may be called "__proto__".
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }

  del(name: string): void {
    if (!Object.hasOwn(this.current, name)) return;
    delete this.writable()[name];
  }

  range(fn: (name: string, value: string) => void): void {
    for (const [n, v] of Object.entries(this.current)) fn(n, v);
  }

  /** The result: the input object itself when nothing changed. */
  result(): Record<string, string> {
    return this.current;
  }

  private writable(): Record<string, string> {
    if (!this.out) this.out = { ...this.base };
    return this.out;
  }
}

/**
 * Over sorted flat label pairs ([n0, v0, n1, v1, ...]). Changes are kept in a
 * small overlay (like Prometheus's labels.Builder) and merged once at the end.
 */
export class PairsBuilder implements LabelBuilder {
  private addNames: string[] = [];
  private addValues: string[] = [];
  private deleted: string[] = [];

  constructor(private readonly base: LabelPairs) {}

  private baseIndex(name: string): number {
    const b = this.base;
    let lo = 0;
    let hi = (b.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = b[mid * 2]!;
      if (n === name) return mid * 2;
      if (n < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get(name: string): string {
    const a = this.addNames.indexOf(name);
    if (a >= 0) return this.addValues[a]!;
    if (this.deleted.length > 0 && this.deleted.includes(name)) return '';
    const i = this.baseIndex(name);
    return i >= 0 ? this.base[i + 1]! : '';
  }

  private baseValue(name: string): string | undefined {
    const i = this.baseIndex(name);
    return i >= 0 ? this.base[i + 1] : undefined;
  }

  set(name: string, value: string): void {
    if (value === '') return this.del(name);
    const a = this.addNames.indexOf(name);
    if (a >= 0) {
      this.addValues[a] = value;
      return;
    }
    const d = this.deleted.indexOf(name);
    if (d < 0 && this.baseValue(name) === value) return; // no change
    if (d >= 0) this.deleted.splice(d, 1);
    if (this.baseValue(name) === value) return; // undeleted back to the base value
    this.addNames.push(name);
    this.addValues.push(value);
  }

  del(name: string): void {
    const a = this.addNames.indexOf(name);
    if (a >= 0) {
      this.addNames.splice(a, 1);
      this.addValues.splice(a, 1);
    }
    if (this.baseIndex(name) >= 0 && !this.deleted.includes(name)) this.deleted.push(name);
  }

  range(fn: (name: string, value: string) => void): void {
    const names = this.addNames.slice();
    const values = this.addValues.slice();
    const deleted = this.deleted.slice();
    const b = this.base;
    for (let i = 0; i < b.length; i += 2) {
      const n = b[i]!;
      if (deleted.length > 0 && deleted.includes(n)) continue;
      if (names.length > 0 && names.includes(n)) continue;
      fn(n, b[i + 1]!);
    }
    for (let i = 0; i < names.length; i++) fn(names[i]!, values[i]!);
  }

  /** Sorted pairs: the input array itself when nothing changed. */
  result(): LabelPairs {
    if (this.addNames.length === 0 && this.deleted.length === 0) return this.base;
    const b = this.base;
    const out: string[] = [];
    const deleted = this.deleted;
    const added = this.addNames.map((n, i) => [n, this.addValues[i]!] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    let j = 0;
    for (let i = 0; i < b.length; i += 2) {
      const n = b[i]!;
      while (j < added.length && added[j]![0] < n) {
        out.push(added[j]![0], added[j]![1]);
        j++;
      }
      if (j < added.length && added[j]![0] === n) {
        out.push(n, added[j]![1]);
        j++;
        continue;
      }
      if (deleted.length > 0 && deleted.includes(n)) continue;
      out.push(n, b[i + 1]!);
    }
    for (; j < added.length; j++) out.push(added[j]![0], added[j]![1]);
    return out;
  }
}
