// Nanosecond timestamps as bigint (ns since the epoch) and the kubelet's RFC3339NanoFixed format.

const hrBase = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
let lastNow = 0n;

/** Wall-clock now with nanosecond resolution, strictly increasing across calls. */
export function nowNanos(): bigint {
  let t = hrBase + process.hrtime.bigint();
  if (t <= lastNow) t = lastNow + 1n;
  lastNow = t;
  return t;
}

/** Accepts a Date, an RFC3339(Nano) string or ns since the epoch. */
export function toNanos(t: Date | string | bigint | number): bigint {
  if (typeof t === 'bigint') return t;
  if (typeof t === 'number') return BigInt(Math.trunc(t)) * 1_000_000n;
  if (t instanceof Date) {
    const ms = t.getTime();
    if (Number.isNaN(ms)) throw new Error('invalid Date');
    return BigInt(ms) * 1_000_000n;
  }
  return parseRfc3339Nanos(t);
}

export function parseRfc3339Nanos(s: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new Error(`invalid RFC3339 time ${JSON.stringify(s)}`);
  const secMs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(secMs)) throw new Error(`invalid RFC3339 time ${JSON.stringify(s)}`);
  const frac = BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return BigInt(secMs) * 1_000_000n + frac;
}

/** `2006-01-02T15:04:05.000000000Z`: always nine fraction digits, UTC. */
export function formatRfc3339NanoFixed(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}
