// WAL record codec. A record is one append() batch, framed on disk as
//   [u32 LE payload length][u32 LE CRC-32C of payload][payload]
// Payload type 2 (written since the columnar format):
//   [u8 type=2][u8 flags][u16 0][u32 nSeries][u32 nSamples]
//   nSeries x ([u32 ref][u32 nStrings] nStrings x ([u32 byteLen][utf8]))
//   refs:   nSamples x u32
//   ts:     nSamples x f64, or one f64 when flags bit 0 says every sample has it
//   values: nSamples x f64
// Columns are copied as whole typed arrays (little-endian), which costs far
// less than writing sample by sample. Payload type 1 (older segments, still
// read) is [u8 1][u32 nSeries][u32 nSamples], the same series, then
// nSamples x ([u32 ref][f64 t][f64 v]).
// Payload type 3 carries native histograms, exemplars and metadata (off the
// float path, rare next to float samples): [u8 3][u8 0][u16 0][u32 count]
// then the MetricsExtras as JSON (labels inline, no series refs; non-finite
// numbers as strings), count = histograms + exemplars + metadata.
// Each segment defines (again) every series it uses before its first use, so
// a segment can be read alone; refs are stable for the writing process.
import { crc32c } from './crc32c.js';
import type { LabelPairs, MetricsExtras } from '../pipeline/metrics.js';

export const FRAME_HEADER = 8;
const RECORD_SAMPLES_V1 = 1;
const RECORD_SAMPLES_V2 = 2;
const RECORD_EXTRAS = 3;
const FLAG_ONE_TS = 1;
/** A length beyond this is taken as corruption, not a real record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface SeriesDef {
  ref: number;
  labels: LabelPairs;
}

export interface WalRecord {
  series: SeriesDef[];
  refs: Uint32Array;
  ts: Float64Array;
  /** Float64Array keeps NaN payloads (stale markers) bit-exact. */
  vs: Float64Array;
  /** A type 3 record (then series and columns are empty). */
  extras?: MetricsExtras;
}

export function extrasCount(x: MetricsExtras): number {
  return x.histograms.length + x.exemplars.length + x.metadata.length;
}

const jsonNumbers = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v);
const jsonRevive = (_k: string, v: unknown) => (typeof v === 'string' && v.charCodeAt(0) === 0 ? Number(v.slice(1)) : v);

function encodeExtras(x: MetricsExtras, scratch: Scratch): Buffer {
  const json = JSON.stringify(x, jsonNumbers);
  let off = FRAME_HEADER;
  scratch.ensure(off + 8 + json.length * 3);
  const b = scratch.buf;
  b[off] = RECORD_EXTRAS;
  b[off + 1] = 0;
  b.writeUInt16LE(0, off + 2);
  b.writeUInt32LE(extrasCount(x), off + 4);
  off += 8;
  off += b.write(json, off, 'utf8');
  b.writeUInt32LE(off - FRAME_HEADER, 0);
  b.writeUInt32LE(crc32c(b, FRAME_HEADER, off), 4);
  return Buffer.from(b.subarray(0, off));
}

/** A growable scratch buffer reused across encodes (one per writer). */
export class Scratch {
  buf = Buffer.allocUnsafe(64 * 1024);
  ensure(n: number): void {
    if (n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.buf.copy(next);
    this.buf = next;
  }
}

function allEqual(a: Float64Array): boolean {
  const first = a[0];
  for (let i = 1; i < a.length; i++) if (a[i] !== first) return false;
  return true;
}

/** Copies a typed array's bytes (little-endian) into b at off. */
function putColumn(b: Buffer, off: number, col: Uint32Array | Float64Array, count: number): number {
  const bytes = count * col.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) {
    b.set(new Uint8Array(col.buffer, col.byteOffset, bytes), off);
  } else if (col instanceof Uint32Array) {
    for (let i = 0; i < count; i++) b.writeUInt32LE(col[i]!, off + i * 4);
  } else {
    for (let i = 0; i < count; i++) b.writeDoubleLE(col[i]!, off + i * 8);
  }
  return off + bytes;
}

/** Encodes a (type 2) record and its frame header into a fresh Buffer. */
export function encodeFrame(rec: WalRecord, scratch: Scratch): Buffer {
  if (rec.extras) return encodeExtras(rec.extras, scratch);
  const n = rec.refs.length;
  const oneTs = n > 0 && allEqual(rec.ts);
  let off = FRAME_HEADER;
  scratch.ensure(off + 12);
  let b = scratch.buf;
  b[off] = RECORD_SAMPLES_V2;
  b[off + 1] = oneTs ? FLAG_ONE_TS : 0;
  b.writeUInt16LE(0, off + 2);
  b.writeUInt32LE(rec.series.length, off + 4);
  b.writeUInt32LE(n, off + 8);
  off += 12;
  for (const s of rec.series) {
    scratch.ensure(off + 8);
    b = scratch.buf;
    b.writeUInt32LE(s.ref, off);
    b.writeUInt32LE(s.labels.length, off + 4);
    off += 8;
    for (const str of s.labels) {
      scratch.ensure(off + 4 + str.length * 3);
      b = scratch.buf;
      const len = b.write(str, off + 4, 'utf8');
      b.writeUInt32LE(len, off);
      off += 4 + len;
    }
  }
  scratch.ensure(off + n * 20 + 8);
  b = scratch.buf;
  off = putColumn(b, off, rec.refs, n);
  off = putColumn(b, off, rec.ts, oneTs ? 1 : n);
  off = putColumn(b, off, rec.vs, n);
  b.writeUInt32LE(off - FRAME_HEADER, 0);
  b.writeUInt32LE(crc32c(b, FRAME_HEADER, off), 4);
  return Buffer.from(b.subarray(0, off));
}

export class CorruptRecordError extends Error {}

function getColumn<T extends Uint32Array | Float64Array>(b: Buffer, off: number, out: T): T {
  const bytes = out.length * out.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset, bytes).set(b.subarray(off, off + bytes));
  else if (out instanceof Uint32Array) for (let i = 0; i < out.length; i++) out[i] = b.readUInt32LE(off + i * 4);
  else for (let i = 0; i < out.length; i++) out[i] = b.readDoubleLE(off + i * 8);
  return out;
}

/** Decodes one payload (without frame header). Throws CorruptRecordError on malformed content. */
export function decodePayload(b: Buffer, start: number, end: number): WalRecord {
  let off = start;
  const need = (n: number) => {
    if (off + n > end) throw new CorruptRecordError(`record truncated at byte ${off - start}`);
  };
  need(9);
  const type = b[off];
  if (type === RECORD_EXTRAS) {
    let extras: MetricsExtras;
    try {
      extras = JSON.parse(b.toString('utf8', off + 8, end), jsonRevive) as MetricsExtras;
    } catch (e) {
      throw new CorruptRecordError(`histogram/exemplar/metadata record: ${(e as Error).message}`);
    }
    return { series: [], refs: new Uint32Array(0), ts: new Float64Array(0), vs: new Float64Array(0), extras };
  }
  if (type !== RECORD_SAMPLES_V1 && type !== RECORD_SAMPLES_V2) throw new CorruptRecordError(`unknown record type ${b[off]}`);
  let flags = 0;
  let nSeries: number;
  let nSamples: number;
  if (type === RECORD_SAMPLES_V2) {
    need(12);
    flags = b[off + 1]!;
    nSeries = b.readUInt32LE(off + 4);
    nSamples = b.readUInt32LE(off + 8);
    off += 12;
  } else {
    nSeries = b.readUInt32LE(off + 1);
    nSamples = b.readUInt32LE(off + 5);
    off += 9;
  }
  const series: SeriesDef[] = [];
  for (let i = 0; i < nSeries; i++) {
    need(8);
    const ref = b.readUInt32LE(off);
    const nStrings = b.readUInt32LE(off + 4);
    off += 8;
    if (nStrings > (end - off) / 4) throw new CorruptRecordError('label count beyond record end');
    const labels: string[] = new Array(nStrings);
    for (let k = 0; k < nStrings; k++) {
      need(4);
      const len = b.readUInt32LE(off);
      off += 4;
      need(len);
      labels[k] = b.toString('utf8', off, off + len);
      off += len;
    }
    series.push({ ref, labels });
  }
  const refs = new Uint32Array(nSamples);
  const ts = new Float64Array(nSamples);
  const vs = new Float64Array(nSamples);
  if (type === RECORD_SAMPLES_V1) {
    need(nSamples * 20);
    for (let i = 0; i < nSamples; i++) {
      refs[i] = b.readUInt32LE(off);
      ts[i] = b.readDoubleLE(off + 4);
      vs[i] = b.readDoubleLE(off + 12);
      off += 20;
    }
    return { series, refs, ts, vs };
  }
  const oneTs = (flags & FLAG_ONE_TS) !== 0 && nSamples > 0;
  need(nSamples * 12 + (oneTs ? 8 : nSamples * 8));
  getColumn(b, off, refs);
  off += nSamples * 4;
  if (oneTs) {
    ts.fill(b.readDoubleLE(off));
    off += 8;
  } else {
    getColumn(b, off, ts);
    off += nSamples * 8;
  }
  getColumn(b, off, vs);
  return { series, refs, ts, vs };
}

/** Sample count of a payload without decoding it (for size accounting). */
export function payloadSampleCount(b: Buffer, start: number): number {
  if (b[start] === RECORD_EXTRAS) return b.readUInt32LE(start + 4);
  return b[start] === RECORD_SAMPLES_V2 ? b.readUInt32LE(start + 8) : b.readUInt32LE(start + 5);
}

export type FrameScan =
  | { kind: 'ok'; payloadStart: number; end: number }
  | { kind: 'incomplete' } // more bytes needed (or a torn tail at end of file)
  | { kind: 'corrupt'; reason: string };

/** Checks the frame starting at `off` inside `b[0..limit)`. */
export function scanFrame(b: Buffer, off: number, limit: number): FrameScan {
  if (off + FRAME_HEADER > limit) return { kind: 'incomplete' };
  const len = b.readUInt32LE(off);
  if (len < 9 || len > MAX_RECORD_BYTES) return { kind: 'corrupt', reason: `implausible record length ${len}` };
  const end = off + FRAME_HEADER + len;
  if (end > limit) return { kind: 'incomplete' };
  const want = b.readUInt32LE(off + 4);
  const got = crc32c(b, off + FRAME_HEADER, end);
  if (want !== got) return { kind: 'corrupt', reason: `CRC mismatch (want ${want.toString(16)}, got ${got.toString(16)})` };
  return { kind: 'ok', payloadStart: off + FRAME_HEADER, end };
}
