// Segment files on disk: naming, listing, start-up repair and a cursor that
// reads framed records sequentially.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { decodePayload, payloadSampleCount, scanFrame, CorruptRecordError, type WalRecord } from './wal-record.js';

const NAME = /^\d{8}$/;

export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

export function segmentPath(dir: string, index: number): string {
  return path.join(dir, segmentName(index));
}

export async function listSegments(dir: string): Promise<number[]> {
  const names = await fsp.readdir(dir);
  return names.filter((n) => NAME.test(n)).map(Number).sort((a, b) => a - b);
}

export interface RepairResult {
  validEnd: number;
  records: number;
  samples: number;
  /** Set when the file had a torn or corrupt tail that was cut off. */
  truncated?: { at: number; reason: string; droppedBytes: number };
}

/**
 * Validates every frame of a segment and cuts the file at the first bad one
 * (a torn write from a crash, or corruption): what follows is unreadable
 * anyway, and appends after it would never be reached.
 */
export async function repairSegment(file: string): Promise<RepairResult> {
  const data = await fsp.readFile(file);
  let off = 0;
  let records = 0;
  let samples = 0;
  let reason: string | undefined;
  while (off < data.length) {
    const f = scanFrame(data, off, data.length);
    if (f.kind === 'incomplete') {
      reason = 'torn record at end of segment';
      break;
    }
    if (f.kind === 'corrupt') {
      reason = f.reason;
      break;
    }
    samples += payloadSampleCount(data, f.payloadStart);
    records++;
    off = f.end;
  }
  const result: RepairResult = { validEnd: off, records, samples };
  if (off < data.length) {
    await fsp.truncate(file, off);
    result.truncated = { at: off, reason: reason ?? 'unknown', droppedBytes: data.length - off };
  }
  return result;
}

export interface CursorRecord {
  start: number;
  end: number;
  rec: WalRecord;
}

/** Reads records of one segment from an offset, never past a caller-given limit. */
export class SegmentCursor {
  private fh: fsp.FileHandle | undefined;
  private buf = Buffer.alloc(0);
  private bufStart = 0; // file offset of buf[0]

  constructor(
    readonly file: string,
    public offset: number,
  ) {
    this.bufStart = offset;
  }

  /** The next record, or null when none is complete below `limit`. Throws ENOENT if the file is gone. */
  async next(limit: number): Promise<CursorRecord | null> {
    for (let round = 0; round < 64; round++) {
      const rel = this.offset - this.bufStart;
      const visible = Math.min(this.buf.length, limit - this.bufStart);
      const f = scanFrame(this.buf, rel, Math.max(rel, visible));
      if (f.kind === 'ok') {
        const rec = decodePayload(this.buf, f.payloadStart, f.end);
        const start = this.offset;
        this.offset = this.bufStart + f.end;
        return { start, end: this.offset, rec };
      }
      if (f.kind === 'corrupt') throw new CorruptRecordError(`${this.file} at ${this.offset}: ${f.reason}`);
      if (this.bufStart + this.buf.length >= limit) return null;
      if (!(await this.fill(limit))) return null;
    }
    throw new CorruptRecordError(`${this.file} at ${this.offset}: record does not complete`);
  }

  /** Reads more bytes (keeping the unread tail); false at end of file. */
  private async fill(limit: number): Promise<boolean> {
    this.fh ??= await fsp.open(this.file, 'r');
    const keep = this.buf.subarray(this.offset - this.bufStart);
    const fileEnd = Number.isFinite(limit) ? limit : Number.MAX_SAFE_INTEGER;
    const want = Math.min(Math.max(1 << 20, keep.length * 2), fileEnd - (this.offset + keep.length));
    if (want <= 0) return false;
    const next = Buffer.allocUnsafe(keep.length + want);
    keep.copy(next);
    const { bytesRead } = await this.fh.read(next, keep.length, want, this.offset + keep.length);
    this.buf = next.subarray(0, keep.length + bytesRead);
    this.bufStart = this.offset;
    return bytesRead > 0;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}
