// The per-endpoint read position, persisted so a restart resumes where the
// endpoint's acknowledgements stopped. Saved many times a second, so the
// file stays open and each save is one positioned write into one of two
// fixed 64-byte slots, alternately: a torn write (power loss) can only spoil
// the slot being written, and load() takes the valid slot with the highest
// sequence number. Each slot is a line of JSON with a CRC-32C of its fields,
// so a half-overwritten slot is never mistaken for a position. Files in the
// older format (one JSON object, written by rename) are still read.
import { promises as fsp, readFileSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { crc32c } from './crc32c.js';
import type { WalPosition } from './wal-reader.js';

const SLOT = 64;

function slotText(pos: WalPosition, seq: number): Buffer {
  const crc = crc32c(Buffer.from(`${pos.segment},${pos.offset},${seq}`));
  const json = JSON.stringify({ segment: pos.segment, offset: pos.offset, seq, crc });
  if (json.length > SLOT - 1) throw new Error(`position ${json} does not fit a checkpoint slot`);
  return Buffer.from(json.padEnd(SLOT - 1, ' ') + '\n');
}

function validPosition(v: Partial<WalPosition>): v is WalPosition {
  return Number.isInteger(v.segment) && Number.isInteger(v.offset) && v.segment! >= 0 && v.offset! >= 0;
}

function parseSlot(text: string): { pos: WalPosition; seq: number } | undefined {
  try {
    const v = JSON.parse(text) as Partial<WalPosition> & { seq?: number; crc?: number };
    const { seq, crc } = v;
    if (!validPosition(v) || seq === undefined || !Number.isInteger(seq)) return undefined;
    if (crc !== crc32c(Buffer.from(`${v.segment},${v.offset},${seq}`))) return undefined;
    return { pos: { segment: v.segment, offset: v.offset }, seq };
  } catch {
    return undefined;
  }
}

export class Checkpoint {
  private writing: Promise<void> | undefined;
  private active = false;
  private dirty: WalPosition | undefined;
  private last: WalPosition | undefined;
  private seq = 0;
  private fh: fsp.FileHandle | undefined;

  constructor(readonly file: string) {}

  static fileFor(dir: string, endpointName: string): string {
    return path.join(dir, `${endpointName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  /** The saved position, or undefined when there is none (or it is unreadable). */
  load(): WalPosition | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined; // absent: the caller decides where to start
    }
    if (text.length >= 2 * SLOT) {
      const a = parseSlot(text.slice(0, SLOT));
      const b = parseSlot(text.slice(SLOT, 2 * SLOT));
      const best = a && b ? (a.seq >= b.seq ? a : b) : (a ?? b);
      if (best) {
        this.seq = best.seq;
        this.last = best.pos;
        return { ...best.pos };
      }
      return undefined;
    }
    try {
      const v = JSON.parse(text) as Partial<WalPosition>; // the older single-object format
      if (validPosition(v)) {
        this.last = { segment: v.segment, offset: v.offset };
        return { ...this.last };
      }
    } catch {
      // damaged: the caller decides where to start
    }
    return undefined;
  }

  /** Synchronous first write (both slots), so a position exists before any sample is accepted. */
  initSync(pos: WalPosition): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    this.seq++;
    writeFileSync(tmp, Buffer.concat([slotText(pos, this.seq), slotText(pos, this.seq)]));
    renameSync(tmp, this.file);
    this.last = { ...pos };
  }

  /** Saves asynchronously; saves requested while one runs coalesce into the next. */
  save(pos: WalPosition): Promise<void> {
    if (this.last && this.last.segment === pos.segment && this.last.offset === pos.offset) return this.writing ?? Promise.resolve();
    this.dirty = { ...pos };
    if (!this.active) {
      this.active = true;
      this.writing = this.drain();
    }
    return this.writing!;
  }

  private async drain(): Promise<void> {
    // `active` is cleared in the same tick the loop finds nothing dirty (no
    // await in between), so a later save() starts a new drain.
    try {
      while (this.dirty) {
        const pos = this.dirty;
        this.dirty = undefined;
        await this.writeSlot(pos);
        this.last = pos;
      }
    } finally {
      this.active = false;
    }
  }

  private async writeSlot(pos: WalPosition): Promise<void> {
    if (!this.fh) {
      const size = await fsp.stat(this.file).then((s) => s.size, () => -1);
      if (size < 2 * SLOT) {
        // Absent or in the older format: start a two-slot file atomically.
        mkdirSync(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.tmp`;
        this.seq++;
        await fsp.writeFile(tmp, Buffer.concat([slotText(pos, this.seq), slotText(pos, this.seq)]));
        await fsp.rename(tmp, this.file);
        return;
      }
      this.fh = await fsp.open(this.file, 'r+');
    }
    this.seq++;
    await this.fh.write(slotText(pos, this.seq), 0, SLOT, (this.seq % 2) * SLOT);
  }

  async flush(): Promise<void> {
    for (let i = 0; i < 100 && this.active; i++) await this.writing;
  }

  /** Waits for pending saves and releases the file. */
  async close(): Promise<void> {
    await this.flush();
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.close();
    await fsp.rm(this.file, { force: true });
  }
}
