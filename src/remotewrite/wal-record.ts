// WAL record codec. A record is one append() batch, framed on disk as
//   [u32 LE payload length][u32 LE CRC-32C of payload][payload]
// and the payload is
//   [u8 type=1][u32 nSeries][u32 nSamples]
//   nSeries x ([u32 ref][u32 nStrings] nStrings x ([u32 byteLen][utf8]))
//   nSamples x ([u32 ref][f64 timestamp ms][f64 value])
// Series refs are scoped to one segment: the first record of a segment that
// uses a series defines it, so each segment can be read (and deleted) alone.
import { crc32c } from './crc32c.js';
import type { LabelPairs } from '../metrics/types.js';

export const FRAME_HEADER = 8;
const RECORD_SAMPLES = 1;
/** A length beyond this is taken as corruption, not a real record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

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

/** Encodes a record and its frame header into a fresh Buffer. */
export function encodeFrame(rec: WalRecord, scratch: Scratch): Buffer {
  let off = FRAME_HEADER;
  scratch.ensure(off + 9);
  let b = scratch.buf;
  b[off] = RECORD_SAMPLES;
  b.writeUInt32LE(rec.series.length, off + 1);
  b.writeUInt32LE(rec.refs.length, off + 5);
  off += 9;
  for (const s of rec.series) {
    scratch.ensure(off + 8);
    b = scratch.buf;
    b.writeUInt32LE(s.ref, off);
    b.writeUInt32LE(s.labels.length, off + 4);
    off += 8;
    for (const str of s.labels) {
      scratch.ensure(off + 4 + str.length * 3);
      b = scratch.buf;
      const n = b.write(str, off + 4, 'utf8');
      b.writeUInt32LE(n, off);
      off += 4 + n;
    }
  }
  const n = rec.refs.length;
  scratch.ensure(off + n * 20);
  b = scratch.buf;
  for (let i = 0; i < n; i++) {
    b.writeUInt32LE(rec.refs[i]!, off);
    b.writeDoubleLE(rec.ts[i]!, off + 4);
    b.writeDoubleLE(rec.vs[i]!, off + 12);
    off += 20;
  }
  const payloadLen = off - FRAME_HEADER;
  b.writeUInt32LE(payloadLen, 0);
  b.writeUInt32LE(crc32c(b, FRAME_HEADER, off), 4);
  return Buffer.from(b.subarray(0, off));
}

export class CorruptRecordError extends Error {}

/** Decodes one payload (without frame header). Throws CorruptRecordError on malformed content. */
export function decodePayload(b: Buffer, start: number, end: number): WalRecord {
  let off = start;
  const need = (n: number) => {
    if (off + n > end) throw new CorruptRecordError(`record truncated at byte ${off - start}`);
  };
  need(9);
  if (b[off] !== RECORD_SAMPLES) throw new CorruptRecordError(`unknown record type ${b[off]}`);
  const nSeries = b.readUInt32LE(off + 1);
  const nSamples = b.readUInt32LE(off + 5);
  off += 9;
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
  need(nSamples * 20);
  const refs = new Uint32Array(nSamples);
  const ts = new Float64Array(nSamples);
  const vs = new Float64Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    refs[i] = b.readUInt32LE(off);
    ts[i] = b.readDoubleLE(off + 4);
    vs[i] = b.readDoubleLE(off + 12);
    off += 20;
  }
  return { series, refs, ts, vs };
}

/** Sample count of a payload without decoding it (for size accounting). */
export function payloadSampleCount(b: Buffer, start: number): number {
  return b.readUInt32LE(start + 5);
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
