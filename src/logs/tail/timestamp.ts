// Parses the RFC 3339 (nano) prefix kubelet puts before each line with
// ?timestamps=true: "2024-01-02T03:04:05.123456789Z message".
// The seconds part is cached: consecutive lines mostly share it.

let cachedPrefix = '';
let cachedSeconds = 0n;

const NS = 1_000_000_000n;

/** Returns [ts ns, line] or undefined when the prefix is not a timestamp. */
export function splitTimestamp(raw: string): [bigint, string] | undefined {
  const sp = raw.indexOf(' ');
  const stamp = sp < 0 ? raw : raw.slice(0, sp);
  const line = sp < 0 ? '' : raw.slice(sp + 1);
  const ts = parseRFC3339Nano(stamp);
  return ts === undefined ? undefined : [ts, line];
}

export function parseRFC3339Nano(s: string): bigint | undefined {
  if (s.length < 20 || s[4] !== '-' || s[10] !== 'T') return undefined;
  const prefix = s.slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  let rest = s.slice(19);
  let frac = 0n;
  if (rest[0] === '.') {
    let i = 1;
    while (i < rest.length && rest.charCodeAt(i) >= 48 && rest.charCodeAt(i) <= 57) i++;
    const digits = rest.slice(1, Math.min(i, 10));
    frac = BigInt(digits.padEnd(9, '0'));
    rest = rest.slice(i);
  }
  let offsetSec = 0;
  if (rest === 'Z' || rest === 'z') offsetSec = 0;
  else {
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(rest);
    if (!m) return undefined;
    offsetSec = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  }
  let secs: bigint;
  if (prefix === cachedPrefix) secs = cachedSeconds;
  else {
    const ms = Date.parse(prefix + 'Z');
    if (Number.isNaN(ms)) return undefined;
    secs = BigInt(ms / 1000);
    cachedPrefix = prefix;
    cachedSeconds = secs;
  }
  return (secs - BigInt(offsetSec)) * NS + frac;
}

/** Splits a text stream into lines; keeps a partial last line for the next chunk. */
export class LineSplitter {
  #rest = '';

  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines;
  }

  /** The stream ended: a final unterminated line, if any. */
  end(): string | undefined {
    const r = this.#rest;
    this.#rest = '';
    return r === '' ? undefined : r;
  }
}
