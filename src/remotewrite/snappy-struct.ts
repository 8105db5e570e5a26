// A snappy (block format) writer for data whose repeats are known in advance.
// Remote write bodies are mostly label pairs that recur many times in one
// request; the encoder names each pair with a key and this writer emits a
// copy of the previous occurrence instead of hashing every byte the way a
// general compressor does. Everything else goes out as literals. The output
// is an ordinary snappy stream (copies may use 4-byte offsets, which every
// decoder supports), so receivers cannot tell the difference; the ratio is
// close to a general compressor's on this data at a fraction of the CPU.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class StructuredSnappyWriter {
  private out: Buffer = Buffer.allocUnsafe(64 * 1024);
  private op = 0;
  /** Output position of the open literal's tag byte, -1 when none is open. */
  private lit = -1;
  /** Position in the uncompressed stream. */
  private rp = 0;
  private rawLength = 0;
  private copyOff = 0;
  private copyLen = 0;
  /** Per key: uncompressed position of its latest occurrence, valid when stamp equals gen. */
  private last = new Int32Array(1024);
  private stamp = new Int32Array(1024);
  private gen = 0;
  /** Timestamp -> uncompressed position of its latest encoding (this request). */
  private readonly tsPos = new Map<number, number>();
  private lastT = Number.NaN;
  /** Per Sample message length: latest position of a sample whose value has five zero low bytes. */
  private readonly zeroPos = new Int32Array(32);
  private readonly zeroStamp = new Int32Array(32);
  private lastTPos = 0;
  /** Which key's chunk starts at an uncompressed position (valid where posStamp equals gen). */
  private keyAt = new Int32Array(64 * 1024);
  private posStamp = new Int32Array(64 * 1024);

  /** Starts a stream of exactly `rawLength` uncompressed bytes with keys below `keyCount`. */
  begin(rawLength: number, keyCount: number): void {
    this.reserveKeys(keyCount);
    // Worst case: every literal byte plus tag bytes; copies are never longer than what they replace.
    const need = 2 * rawLength + 32;
    if (this.out.length < need) this.out = Buffer.allocUnsafe(need);
    if (this.keyAt.length < rawLength) {
      this.keyAt = new Int32Array(rawLength);
      this.posStamp = new Int32Array(rawLength);
    }
    this.gen++;
    if (this.gen >= 0x7fffffff) {
      this.stamp.fill(0);
      this.posStamp.fill(0);
      this.zeroStamp.fill(0);
      this.gen = 1;
    }
    this.lastT = Number.NaN;
    this.tsPos.clear();
    this.op = 0;
    this.lit = -1;
    this.rp = 0;
    this.copyLen = 0;
    this.rawLength = rawLength;
    let v = rawLength;
    while (v >= 0x80) {
      this.out[this.op++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.out[this.op++] = v;
  }

  reserveKeys(n: number): void {
    if (n <= this.last.length) return;
    let size = this.last.length;
    while (size < n) size *= 2;
    const last = new Int32Array(size);
    last.set(this.last);
    const stamp = new Int32Array(size);
    stamp.set(this.stamp);
    this.last = last;
    this.stamp = stamp;
  }

  private openLiteral(): void {
    if (this.copyLen > 0) this.flushCopy();
    this.lit = this.op++;
  }

  byte(b: number): void {
    if (this.lit < 0) this.openLiteral();
    this.out[this.op++] = b;
    this.rp++;
  }

  /** Bytes as a literal (histogram and exemplar fields: rare, not worth a copy search). */
  bytes(src: Uint8Array): void {
    for (let i = 0; i < src.length; i++) this.byte(src[i]!);
  }

  /** Unsigned varint of a 32-bit value. */
  varint32(v: number): void {
    if (this.lit < 0) this.openLiteral();
    const out = this.out;
    let op = this.op;
    const start = op;
    while (v >= 0x80) {
      out[op++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[op++] = v;
    this.rp += op - start;
    this.op = op;
  }

  /**
   * A remote-write Sample message, field 2 of TimeSeries: value (double,
   * bit-exact) and int64 timestamp. The timestamp part repeats across the
   * samples of one scrape, so it is copied when it was written before.
   */
  sample(v: number, t: number): void {
    const vlen = varint64Length(t);
    const len = 10 + vlen;
    f64[0] = v;
    // Integer-valued doubles (most counters and many gauges) end in zero
    // mantissa bytes, little-endian first: the message start up to those
    // zeros ([0x12 len 0x09 0 0 0 0 0]) repeats and is copied.
    const zeroLow = LITTLE_ENDIAN && f64Bytes[0] === 0 && f64Bytes[1] === 0 && f64Bytes[2] === 0 && f64Bytes[3] === 0 && f64Bytes[4] === 0;
    let rest = 0;
    if (zeroLow) {
      const prev = this.zeroStamp[len] === this.gen ? this.zeroPos[len]! : -1;
      this.zeroStamp[len] = this.gen;
      this.zeroPos[len] = this.rp;
      if (prev >= 0) {
        this.copyFrom(prev, 8);
        rest = 5;
      }
    }
    if (this.lit < 0) this.openLiteral();
    const out = this.out;
    let op = this.op;
    if (rest === 0) {
      out[op++] = 0x12;
      out[op++] = len;
      out[op++] = 0x09;
      if (LITTLE_ENDIAN) {
        for (let i = 0; i < 8; i++) out[op + i] = f64Bytes[i]!;
      } else {
        for (let i = 0; i < 8; i++) out[op + i] = f64Bytes[7 - i]!;
      }
      op += 8;
      this.rp += 11;
    } else {
      out[op++] = f64Bytes[5]!;
      out[op++] = f64Bytes[6]!;
      out[op++] = f64Bytes[7]!;
      this.rp += 3;
    }
    this.op = op;
    // Consecutive samples usually share the timestamp; the map covers the rest.
    const prev = t === this.lastT ? this.lastTPos : this.tsPos.get(t);
    if (t !== this.lastT) this.tsPos.set(t, this.rp);
    this.lastT = t;
    this.lastTPos = this.rp;
    if (prev !== undefined && vlen >= 3) {
      this.copyFrom(prev, 1 + vlen);
      return;
    }
    op = this.op;
    out[op++] = 0x10;
    this.op = writeVarint64(out, op, t);
    this.rp += 1 + vlen;
  }

  /**
   * A label pair src[start..end) with key `key`; src[start..mid) is its
   * prefix (everything before the value) with key `prefixKey`. A pair seen
   * before in this request is copied whole; otherwise its prefix is copied
   * when some pair with the same prefix was seen, and the value is literal.
   */
  pair(key: number, prefixKey: number, src: Uint8Array, start: number, mid: number, end: number): void {
    const gen = this.gen;
    if (this.stamp[key] === gen) {
      this.chunk(key, src, start, end);
      return;
    }
    const rp = this.rp;
    // Read the prefix's state first: an empty value makes the prefix the whole pair (same key).
    const prefixPrev = this.stamp[prefixKey] === gen ? this.last[prefixKey]! : -1;
    this.keyAt[rp] = key;
    this.posStamp[rp] = gen;
    this.stamp[key] = gen;
    this.last[key] = rp;
    this.stamp[prefixKey] = gen;
    this.last[prefixKey] = rp;
    let from = start;
    if (prefixPrev >= 0) {
      this.copyFrom(prefixPrev, mid - start);
      from = mid;
    }
    if (from === end) return;
    if (this.lit < 0) this.openLiteral();
    const out = this.out;
    let op = this.op;
    for (let i = from; i < end; i++) out[op++] = src[i]!;
    this.op = op;
    this.rp += end - from;
  }

  /** Bytes src[start..end) that are identical wherever `key` is used. */
  chunk(key: number, src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    const rp = this.rp;
    const gen = this.gen;
    this.keyAt[rp] = key;
    this.posStamp[rp] = gen;
    if (this.stamp[key] === gen) {
      const prev = this.last[key]!;
      this.last[key] = rp;
      // Prefer continuing the current copy (longer runs, fewer copy elements)
      // when its source goes on with this very chunk.
      if (this.copyLen > 0 && this.lit < 0) {
        const next = rp - this.copyOff;
        if (this.posStamp[next] === gen && this.keyAt[next] === key) {
          this.copyLen += len;
          this.rp = rp + len;
          return;
        }
      }
      this.copyFrom(prev, len);
      return;
    }
    this.stamp[key] = gen;
    this.last[key] = rp;
    this.rp = rp + len;
    if (this.lit < 0) this.openLiteral();
    const out = this.out;
    let op = this.op;
    for (let i = start; i < end; i++) out[op++] = src[i]!;
    this.op = op;
  }

  /** Emits `len` bytes equal to those at uncompressed position `from`, merging with a contiguous previous copy. */
  private copyFrom(from: number, len: number): void {
    const off = this.rp - from;
    this.rp += len;
    if (this.lit >= 0) this.closeLiteral();
    if (this.copyLen > 0 && this.copyOff === off) {
      this.copyLen += len; // the previous copy's source continues right here
      return;
    }
    if (this.copyLen > 0) this.flushCopy();
    this.copyOff = off;
    this.copyLen = len;
  }

  /** Finishes the stream and returns it as a new Buffer. */
  finish(): Buffer {
    if (this.lit >= 0) this.closeLiteral();
    if (this.copyLen > 0) this.flushCopy();
    if (this.rp !== this.rawLength) throw new Error(`snappy writer: wrote ${this.rp} bytes, announced ${this.rawLength}`);
    return Buffer.from(this.out.subarray(0, this.op));
  }

  private closeLiteral(): void {
    const at = this.lit;
    this.lit = -1;
    const len = this.op - at - 1;
    if (len === 0) {
      this.op = at;
      return;
    }
    const out = this.out;
    if (len <= 60) {
      out[at] = (len - 1) << 2;
      return;
    }
    // Longer literals need 1-4 extra length bytes after the tag: shift the data.
    const extra = len <= 0x100 ? 1 : len <= 0x10000 ? 2 : len <= 0x1000000 ? 3 : 4;
    out.copyWithin(at + 1 + extra, at + 1, this.op);
    out[at] = (59 + extra) << 2;
    const n = len - 1;
    out[at + 1] = n & 0xff;
    if (extra > 1) out[at + 2] = (n >>> 8) & 0xff;
    if (extra > 2) out[at + 3] = (n >>> 16) & 0xff;
    if (extra > 3) out[at + 4] = n >>> 24;
    this.op += extra;
  }

  private flushCopy(): void {
    let len = this.copyLen;
    const off = this.copyOff;
    this.copyLen = 0;
    while (len > 0) {
      // Pieces of at most 64 bytes; never leave a tail shorter than 4.
      const take = len <= 64 ? len : len - 64 < 4 ? 60 : 64;
      this.emitCopy(off, take);
      len -= take;
    }
  }

  private emitCopy(off: number, len: number): void {
    const out = this.out;
    let op = this.op;
    if (len >= 4 && len <= 11 && off < 2048) {
      out[op++] = 1 | ((len - 4) << 2) | ((off >>> 8) << 5);
      out[op++] = off & 0xff;
    } else if (off < 0x10000) {
      out[op++] = 2 | ((len - 1) << 2);
      out[op++] = off & 0xff;
      out[op++] = off >>> 8;
    } else {
      out[op++] = 3 | ((len - 1) << 2);
      out[op++] = off & 0xff;
      out[op++] = (off >>> 8) & 0xff;
      out[op++] = (off >>> 16) & 0xff;
      out[op++] = off >>> 24;
    }
    this.op = op;
  }
}

/** Byte length of an int64 varint (negative values take 10 bytes). */
export function varint64Length(t: number): number {
  if (t < 0) return 10;
  if (t < 2 ** 35) return t < 2 ** 14 ? (t < 2 ** 7 ? 1 : 2) : t < 2 ** 21 ? 3 : t < 2 ** 28 ? 4 : 5;
  return t < 2 ** 42 ? 6 : t < 2 ** 49 ? 7 : t < 2 ** 56 ? 8 : t < 2 ** 63 ? 9 : 10;
}

/** Writes an int64 varint of an integral number (two's complement for negatives). */
export function writeVarint64(out: Uint8Array, op: number, t: number): number {
  let lo: number;
  let hi: number;
  if (t >= 0) {
    lo = t >>> 0;
    hi = ((t - lo) / 4294967296) >>> 0;
  } else {
    const a = -t;
    lo = a >>> 0;
    hi = ((a - lo) / 4294967296) >>> 0;
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  while (hi !== 0) {
    out[op++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    out[op++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  out[op++] = lo;
  return op;
}

export function varint32Length(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
