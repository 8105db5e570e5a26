// Sequential reader of the WAL for one endpoint: yields records in order
// from a position, following segment after segment, then waits at the head
// for new flushes. Records that are still in the WAL's in-memory ring are
// taken from there; otherwise they are read back from disk.
import type { Logger } from 'pino';
import type { Wal } from './wal.js';
import type { WalRecord } from './wal-record.js';
import { CorruptRecordError } from './wal-record.js';
import { SegmentCursor, segmentPath } from './segment-file.js';

export interface WalPosition {
  segment: number;
  offset: number;
}

export interface ReadItem {
  seg: number;
  start: number;
  end: number;
  rec: WalRecord;
  /** Read only to learn the segment's series (before the resume position). */
  replayOnly: boolean;
}

export class WalReader {
  private seg: number;
  private off: number;
  private replayUntil: number;
  private cursor: SegmentCursor | undefined;
  /** Samples of the current segment already handed out. */
  samplesReadInSeg = 0;

  constructor(
    private readonly wal: Wal,
    from: WalPosition,
    private readonly logger: Logger,
  ) {
    const first = wal.firstSegmentFrom(from.segment);
    if (first === undefined || first !== from.segment) {
      // The checkpointed segment is gone (truncated): start at the next one.
      this.seg = first ?? wal.headIndex();
      this.replayUntil = 0;
    } else {
      this.seg = from.segment;
      this.replayUntil = from.offset;
    }
    // Resuming mid-segment still reads the segment from its start: series
    // definitions live in the segment's earlier records.
    this.off = 0;
  }

  position(): WalPosition {
    return { segment: this.seg, offset: this.off };
  }

  /** The next record, or null once `signal` is aborted. */
  async next(signal: AbortSignal): Promise<ReadItem | null> {
    for (;;) {
      if (signal.aborted) return null;
      const end = this.wal.readableEnd(this.seg);
      if (end < 0) {
        this.moveTo(this.wal.firstSegmentFrom(this.seg + 1) ?? this.wal.headIndex());
        continue;
      }
      if (this.off < end) {
        const item = await this.readAt(end);
        if (item) return item;
        continue;
      }
      if (this.seg < this.wal.headIndex() && this.wal.isSealed(this.seg)) {
        this.moveTo(this.wal.firstSegmentFrom(this.seg + 1) ?? this.wal.headIndex());
        continue;
      }
      await waitFor(this.wal, signal);
    }
  }

  private async readAt(end: number): Promise<ReadItem | null> {
    const hit = this.wal.recent(this.seg, this.off);
    if (hit) {
      await this.dropCursor();
      return this.handOut(hit.start, hit.end, hit.rec);
    }
    try {
      this.cursor ??= new SegmentCursor(segmentPath(this.wal.dir, this.seg), this.off);
      const r = await this.cursor.next(end);
      if (r) return this.handOut(r.start, r.end, r.rec);
      // Nothing complete below the readable end: the segment lost its tail.
      this.logger.warn({ segment: this.seg, offset: this.off }, 'WAL segment ends early; moving on');
      this.off = end;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.moveTo(this.wal.firstSegmentFrom(this.seg + 1) ?? this.wal.headIndex());
      } else if (e instanceof CorruptRecordError) {
        this.logger.error({ segment: this.seg, err: e.message }, 'corrupt WAL record; skipping the rest of the segment');
        this.off = end;
      } else throw e;
    }
    return null;
  }

  private handOut(start: number, end: number, rec: WalRecord): ReadItem {
    const replayOnly = end <= this.replayUntil;
    this.off = end;
    if (!replayOnly) this.samplesReadInSeg += rec.refs.length;
    return { seg: this.seg, start, end, rec, replayOnly };
  }

  private moveTo(seg: number): void {
    if (seg === this.seg) return;
    void this.dropCursor();
    this.seg = seg;
    this.off = 0;
    this.replayUntil = 0;
    this.samplesReadInSeg = 0;
  }

  private async dropCursor(): Promise<void> {
    const c = this.cursor;
    this.cursor = undefined;
    await c?.close();
  }

  async close(): Promise<void> {
    await this.dropCursor();
  }
}

function waitFor(wal: Wal, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      wal.off('flushed', done);
      wal.off('segments', done);
      wal.off('closed', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    wal.on('flushed', done);
    wal.on('segments', done);
    wal.on('closed', done);
    signal.addEventListener('abort', done);
  });
}
