// A log WAL record: the entries of one append, framed like remote_write's WAL
// records (remotewrite/wal-record.ts: [u32 LE length][u32 LE CRC-32C][payload],
// checked by the same scanFrame), so torn tails and corruption are detected
// the same way. Payload:
//   [u8 type=0x4c][u32 count] count x ([u64 ts ns][u32 n][labels JSON][u32 n][line utf8])
import { crc32c } from '../../../remotewrite/crc32c.js';
import { FRAME_HEADER, scanFrame, CorruptRecordError } from '../../../remotewrite/wal-record.js';
import type { LogEntry } from '../../../pipeline/logs.js';

const RECORD_ENTRIES = 0x4c;

export { scanFrame, CorruptRecordError };

export function encodeEntriesFrame(entries: LogEntry[]): Buffer {
  const parts: Buffer[] = [];
  let size = FRAME_HEADER + 5;
  for (const e of entries) {
    const labels = Buffer.from(JSON.stringify(e.labels), 'utf8');
    const line = Buffer.from(e.line, 'utf8');
    parts.push(labels, line);
    size += 16 + labels.length + line.length;
  }
  const b = Buffer.allocUnsafe(size);
  let off = FRAME_HEADER;
  b[off] = RECORD_ENTRIES;
  b.writeUInt32LE(entries.length, off + 1);
  off += 5;
  for (let i = 0; i < entries.length; i++) {
    b.writeBigUInt64LE(BigInt.asUintN(64, entries[i].ts), off);
    off += 8;
    for (const part of [parts[2 * i], parts[2 * i + 1]]) {
      b.writeUInt32LE(part.length, off);
      part.copy(b, off + 4);
      off += 4 + part.length;
    }
  }
  b.writeUInt32LE(off - FRAME_HEADER, 0);
  b.writeUInt32LE(crc32c(b, FRAME_HEADER, off), 4);
  return b;
}

/** Decodes a payload (frame already checked by scanFrame). */
export function decodeEntries(b: Buffer, start: number, end: number): LogEntry[] {
  let off = start;
  const need = (n: number) => {
    if (off + n > end) throw new CorruptRecordError(`log record truncated at byte ${off - start}`);
  };
  need(5);
  if (b[off] !== RECORD_ENTRIES) throw new CorruptRecordError(`unknown log record type ${b[off]}`);
  const count = b.readUInt32LE(off + 1);
  off += 5;
  const out: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    need(12);
    const ts = b.readBigUInt64LE(off);
    const ll = b.readUInt32LE(off + 8);
    off += 12;
    need(ll + 4);
    const labels = JSON.parse(b.toString('utf8', off, off + ll)) as Record<string, string>;
    off += ll;
    const nl = b.readUInt32LE(off);
    off += 4;
    need(nl);
    out.push({ labels, ts, line: b.toString('utf8', off, off + nl) });
    off += nl;
  }
  return out;
}
