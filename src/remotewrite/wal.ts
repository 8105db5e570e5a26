// The write-ahead log: append() frames a batch into the head segment and
// resolves only after fdatasync (group commit: appends that arrive while a
// sync is running share the next one). Endpoint readers tail the segments;
// truncate() deletes the oldest segments once every reader is past them, or
// drops unsent data when the size or age bounds are hit.
import { EventEmitter } from 'node:events';
import { promises as fsp, statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { LabelPairs, MetricsExtras, Sample, SampleBatch } from '../pipeline/metrics.js';
import { encodeFrame, extrasCount, Scratch, type SeriesDef, type WalRecord } from './wal-record.js';
import { listSegments, repairSegment, segmentPath } from './segment-file.js';

export interface WalOptions {
  dir: string;
  logger: Logger;
  /** A segment is cut when the next record would push it past this many bytes. */
  segmentSize: number;
  /** Total bytes on disk above which the oldest segments go, sent or not. */
  maxSize: number;
  minKeepaliveMs: number;
  maxKeepaliveMs: number;
  /**
   * Group commit spacing: a flush starts no sooner than this after the
   * previous one started, so appends arriving meanwhile share one fdatasync
   * (fewer syncs under load; an append after a quiet spell is flushed at once).
   */
  minSyncIntervalMs?: number;
}

export interface SegmentInfo {
  index: number;
  size: number;
  samples: number;
  /** ms since epoch of the last write (file mtime for segments from a previous run). */
  lastWrite: number;
  /** Every record of the segment is on disk; readers may move past its end. */
  sealed: boolean;
}

/** What the WAL needs to know about one endpoint's reader to truncate safely. */
export interface WalReaderHandle {
  /** Segments below this index are fully acknowledged by the endpoint. */
  committedSegment(): number;
  /** The segment is deleted before this reader acknowledged all of it. */
  onSegmentDropped(seg: SegmentInfo): void;
}

export interface FlushedRecord {
  seg: number;
  start: number;
  end: number;
  rec: WalRecord;
}

interface Pending {
  seg: number;
  start: number;
  frame: Buffer;
  rec: WalRecord;
  resolve: () => void;
  reject: (e: Error) => void;
}

const RING_SAMPLES = 200_000;

/**
 * One series known to the writer. `ref` is stable for the process (readers
 * may cache per ref); `seg` is the segment that last got its definition.
 */
interface SeriesRow {
  ref: number;
  labels: LabelPairs;
  seg: number;
}

export class Wal extends EventEmitter {
  private readonly segs: SegmentInfo[] = [];
  private head!: SegmentInfo;
  private headLogicalSize = 0; // bytes encoded into the head, flushed or not
  private headFlushed = 0;
  /** Series appended as Sample objects, by joined labels. */
  private byKey = new Map<string, SeriesRow>();
  /** Series appended in columnar batches, by the producer's scope and ref (gone with the scope). */
  private byScope = new WeakMap<object, Map<number, SeriesRow>>();
  private nextRef = 1;
  private readonly scratch = new Scratch();
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private flushActive = false;
  private lastFlushStart = 0;
  private fh: fsp.FileHandle | undefined;
  private fhSeg = -1;
  private forceCut = false;
  private truncChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly readers = new Set<WalReaderHandle>();
  // Recently flushed records, so readers that keep up never touch the disk.
  private readonly ring = new Map<string, FlushedRecord>();
  private ringSamples = 0;
  /** Samples ever appended by this process (for backlog estimates). */
  appendedSamples = 0;
  highestTimestamp = 0;

  private constructor(private opts: WalOptions) {
    super();
    this.setMaxListeners(0);
  }

  static async open(opts: WalOptions): Promise<Wal> {
    const wal = new Wal(opts);
    await wal.init();
    return wal;
  }

  setLimits(o: Pick<WalOptions, 'segmentSize' | 'maxSize' | 'minKeepaliveMs' | 'maxKeepaliveMs'>): void {
    this.opts = { ...this.opts, ...o };
  }

  private async init(): Promise<void> {
    const { dir, logger } = this.opts;
    await fsp.mkdir(dir, { recursive: true });
    for (const index of await listSegments(dir)) {
      const file = segmentPath(dir, index);
      const r = await repairSegment(file);
      if (r.truncated) {
        logger.warn({ segment: file, offset: r.truncated.at, dropped_bytes: r.truncated.droppedBytes, reason: r.truncated.reason },
          'WAL segment had a damaged tail (crash during write?); truncated it');
      }
      if (r.validEnd === 0) {
        await fsp.rm(file, { force: true });
        continue;
      }
      this.segs.push({ index, size: r.validEnd, samples: r.samples, lastWrite: statSync(file).mtimeMs, sealed: true });
    }
    // Always start a fresh head: series refs restart with it and a damaged
    // segment is never appended to.
    const last = this.segs.at(-1);
    this.head = { index: last ? last.index + 1 : 1, size: 0, samples: 0, lastWrite: Date.now(), sealed: false };
    this.segs.push(this.head);
    this.emit('segments');
  }

  get dir(): string {
    return this.opts.dir;
  }

  segments(): readonly SegmentInfo[] {
    return this.segs;
  }

  headIndex(): number {
    return this.head.index;
  }

  totalSize(): number {
    let n = 0;
    for (const s of this.segs) n += s.size;
    return n;
  }

  /** Readable bytes of a segment (the head only up to what is durable); -1 if gone. */
  readableEnd(index: number): number {
    if (index === this.head.index) return this.headFlushed;
    const s = this.segs.find((x) => x.index === index);
    return s ? s.size : -1;
  }

  isSealed(index: number): boolean {
    return this.segs.find((x) => x.index === index)?.sealed ?? true;
  }

  /** The first existing segment at or after `index`, if any. */
  firstSegmentFrom(index: number): number | undefined {
    return this.segs.find((s) => s.index >= index)?.index;
  }

  recent(seg: number, start: number): FlushedRecord | undefined {
    return this.ring.get(`${seg}:${start}`);
  }

  addReader(r: WalReaderHandle): void {
    this.readers.add(r);
  }

  removeReader(r: WalReaderHandle): void {
    this.readers.delete(r);
  }

  /** Writes the batch; resolves once it is on disk (fdatasync). */
  append(samples: readonly Sample[]): Promise<void> {
    if (samples.length === 0) return this.closed ? Promise.reject(new Error('WAL is closed')) : Promise.resolve();
    return this.write(() => this.encodeSamples(samples));
  }

  /**
   * Writes a columnar batch; resolves once it is on disk. Labels are looked up
   * (synchronously, in this call) only for refs new to the writer; samples
   * whose ref has no labels are skipped.
   */
  appendBatch(batch: SampleBatch): Promise<void> {
    if (batch.length === 0 || this.closed) {
      this.release(batch);
      return this.closed ? Promise.reject(new Error('WAL is closed')) : Promise.resolve();
    }
    const p = this.write(() => this.encodeBatch(batch));
    this.release(batch);
    return p;
  }

  /** Writes native histograms, exemplars and metadata as one record; resolves once it is on disk. */
  appendExtras(x: MetricsExtras): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL is closed'));
    if (extrasCount(x) === 0) return Promise.resolve();
    const empty = { series: [], refs: new Uint32Array(0), ts: new Float64Array(0), vs: new Float64Array(0) };
    return this.write(() => ({ ...empty, extras: x }));
  }

  private release(batch: SampleBatch): void {
    const table = this.byScope.get(batch.scope);
    if (!table) return;
    const r = batch.released;
    for (let i = 0; i < r.length; i++) table.delete(r[i]!);
  }

  private write(encode: () => WalRecord | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL is closed'));
    let rec: WalRecord | undefined;
    let frame: Buffer;
    try {
      rec = encode();
      if (!rec) return Promise.resolve();
      frame = encodeFrame(rec, this.scratch);
      if (this.forceCut || (this.headLogicalSize > 0 && this.headLogicalSize + frame.length > this.opts.segmentSize)) {
        // The new segment must define its series again: encode once more.
        this.cutLogical();
        rec = encode()!;
        frame = encodeFrame(rec, this.scratch);
      }
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const start = this.headLogicalSize;
    this.headLogicalSize += frame.length;
    for (let i = 0; i < rec.ts.length; i++) if (rec.ts[i]! > this.highestTimestamp) this.highestTimestamp = rec.ts[i]!;
    const r = rec;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ seg: this.head.index, start, frame, rec: r, resolve, reject });
      if (!this.flushActive) {
        // The flag is cleared synchronously when the loop sees no work, so an
        // append arriving after that always starts a new loop.
        this.flushActive = true;
        this.flushing = this.flushLoop();
      }
    });
  }

  /** Series new to the head segment are defined in this record. */
  private encodeSamples(samples: readonly Sample[]): WalRecord {
    const n = samples.length;
    const refs = new Uint32Array(n);
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    const defs: SeriesDef[] = [];
    const head = this.head.index;
    const added: string[] = [];
    const touched: [SeriesRow, number][] = [];
    try {
      for (let i = 0; i < n; i++) {
        const s = samples[i]!;
        const labels = s?.labels;
        if (!Array.isArray(labels) || labels.length % 2 !== 0) {
          throw new TypeError(`sample ${i}: labels must be a flat array of name/value pairs`);
        }
        if (typeof s.t !== 'number' || !Number.isFinite(s.t)) throw new TypeError(`sample ${i}: timestamp ${String(s.t)} is not a finite number`);
        if (typeof s.v !== 'number') throw new TypeError(`sample ${i}: value ${String(s.v)} is not a number`);
        const key = labels.join('\xff');
        let row = this.byKey.get(key);
        if (row === undefined) {
          for (const l of labels) if (typeof l !== 'string') throw new TypeError(`sample ${i}: label ${String(l)} is not a string`);
          row = { ref: this.nextRef++, labels: labels.slice(), seg: 0 };
          this.byKey.set(key, row);
          added.push(key);
        }
        if (row.seg !== head) {
          touched.push([row, row.seg]);
          row.seg = head;
          defs.push({ ref: row.ref, labels: row.labels });
        }
        refs[i] = row.ref;
        ts[i] = Math.trunc(s.t);
        vs[i] = s.v;
      }
    } catch (e) {
      // Nothing of a rejected batch is kept.
      for (const k of added) this.byKey.delete(k);
      for (const [row, seg] of touched) row.seg = seg;
      throw e;
    }
    return { series: defs, refs, ts, vs };
  }

  private encodeBatch(b: SampleBatch): WalRecord | undefined {
    const n = b.length;
    let table = this.byScope.get(b.scope);
    if (!table) {
      table = new Map();
      this.byScope.set(b.scope, table);
    }
    const refs = new Uint32Array(n);
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    const defs: SeriesDef[] = [];
    const head = this.head.index;
    const inRefs = b.refs;
    const inTs = b.ts;
    const inVs = b.values;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const r = inRefs[i]!;
      let row = table.get(r);
      if (row === undefined) {
        const labels = b.labels(r);
        if (!Array.isArray(labels) || labels.length % 2 !== 0) continue; // unknown ref (e.g. from before a producer reset)
        row = { ref: this.nextRef++, labels, seg: 0 };
        table.set(r, row);
      }
      if (row.seg !== head) {
        row.seg = head;
        defs.push({ ref: row.ref, labels: row.labels });
      }
      const t = inTs[i]!;
      if (!Number.isFinite(t)) continue;
      refs[k] = row.ref;
      ts[k] = Math.trunc(t);
      vs[k] = inVs[i]!;
      k++;
    }
    if (k === 0 && defs.length === 0) return undefined;
    return k === n ? { series: defs, refs, ts, vs } : { series: defs, refs: refs.subarray(0, k), ts: ts.subarray(0, k), vs: vs.subarray(0, k) };
  }

  private cutLogical(): void {
    this.forceCut = false;
    // Sample-object series not used in the segment just closed are forgotten
    // (batch series go when their producer releases them).
    const closing = this.head.index;
    for (const [k, row] of this.byKey) if (row.seg < closing) this.byKey.delete(k);
    this.head = { index: this.head.index + 1, size: 0, samples: 0, lastWrite: Date.now(), sealed: false };
    this.segs.push(this.head);
    this.headLogicalSize = 0;
    this.headFlushed = 0;
  }

  private async flushLoop(): Promise<void> {
    // The flag is cleared in the same tick the loop finds no work (no await
    // in between), so an append arriving later always starts a new loop.
    try {
      while (this.pending.length > 0) {
        const wait = this.lastFlushStart + (this.opts.minSyncIntervalMs ?? 0) - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.lastFlushStart = Date.now();
        const batch = this.pending;
        this.pending = [];
        let cut = false;
        try {
          for (let i = 0; i < batch.length; ) {
            const seg = batch[i]!.seg;
            let j = i;
            while (j < batch.length && batch[j]!.seg === seg) j++;
            if (this.fhSeg !== seg) {
              if (this.fh) {
                await this.fh.datasync();
                await this.fh.close();
                cut = true;
              }
              this.fh = await fsp.open(segmentPath(this.opts.dir, seg), 'a');
              this.fhSeg = seg;
              for (const s of this.segs) if (s.index < seg) s.sealed = true;
            }
            await this.fh!.writev(batch.slice(i, j).map((p) => p.frame));
            i = j;
          }
          await this.fh!.datasync();
        } catch (e) {
          const err = new Error(`WAL write failed in ${this.opts.dir}: ${(e as Error).message}`);
          this.opts.logger.error({ err: e }, 'WAL write failed; rejecting the pending appends');
          // Later pending records may refer to series defined in the failed
          // ones: reject them too and start a clean segment.
          const rest = this.pending;
          this.pending = [];
          for (const p of [...batch, ...rest]) p.reject(err);
          await this.fh?.truncate(this.headFlushed).catch(() => undefined);
          this.headLogicalSize = this.headFlushed;
          this.forceCut = true;
          continue;
        }
        const now = Date.now();
        for (const p of batch) {
          const seg = p.seg === this.head.index ? this.head : this.segs.find((s) => s.index === p.seg)!;
          const end = p.start + p.frame.length;
          seg.size = end;
          seg.samples += p.rec.refs.length;
          seg.lastWrite = now;
          if (p.seg === this.head.index) this.headFlushed = end;
          this.remember({ seg: p.seg, start: p.start, end, rec: p.rec });
          this.appendedSamples += p.rec.refs.length;
          p.resolve();
        }
        this.emit('flushed');
        if (cut) {
          this.emit('segments');
          await this.truncate('segment cut');
        }
      }
  
    } finally {
      this.flushActive = false;
    }
  }

  private remember(r: FlushedRecord): void {
    this.ring.set(`${r.seg}:${r.start}`, r);
    this.ringSamples += r.rec.refs.length;
    while (this.ringSamples > RING_SAMPLES && this.ring.size > 1) {
      const [k, old] = this.ring.entries().next().value as [string, FlushedRecord];
      this.ring.delete(k);
      this.ringSamples -= old.rec.refs.length;
    }
  }

  /**
   * Deletes a prefix of closed segments: those every reader acknowledged and
   * older than min_keepalive_time, and, regardless of readers, those beyond
   * max_keepalive_time or needed to get under the size bound.
   */
  truncate(reason: string): Promise<void> {
    // Serialised: a timer and a segment cut may ask at the same time.
    this.truncChain = this.truncChain.then(() => this.doTruncate(reason)).catch((e) => {
      this.opts.logger.error({ err: e }, 'WAL truncation failed');
    });
    return this.truncChain;
  }

  private async doTruncate(reason: string): Promise<void> {
    const { minKeepaliveMs, maxKeepaliveMs, maxSize, logger } = this.opts;
    const now = Date.now();
    let total = this.totalSize();
    let changed = false;
    while (this.segs.length > 1 && this.segs[0] !== this.head && this.segs[0]!.sealed) {
      const seg = this.segs[0]!;
      const behind = [...this.readers].filter((r) => r.committedSegment() <= seg.index);
      const age = now - seg.lastWrite;
      const over = total > maxSize;
      const sentByAll = behind.length === 0;
      if (sentByAll ? !(age >= minKeepaliveMs || over) : !(age >= maxKeepaliveMs || over)) break;
      if (!sentByAll) {
        logger.warn({ segment: seg.index, samples: seg.samples, bytes: seg.size, wal_bytes: total, reason: over ? 'max WAL size reached' : 'max_keepalive_time exceeded' },
          'dropping unsent WAL segment');
        for (const r of behind) r.onSegmentDropped(seg);
      }
      await fsp.rm(segmentPath(this.opts.dir, seg.index), { force: true });
      for (const [k, r] of this.ring) if (r.seg === seg.index) {
        this.ring.delete(k);
        this.ringSamples -= r.rec.refs.length;
      }
      this.segs.shift();
      total -= seg.size;
      changed = true;
    }
    if (changed) this.emit('segments', reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    this.emit('closed');
  }
}
