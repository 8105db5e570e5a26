// The per-endpoint read position, persisted so a restart resumes where the
// endpoint's acknowledgements stopped. Written to a temp file and renamed so
// a crash leaves either the old or the new position, never half of one.
import { promises as fsp, readFileSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { WalPosition } from './wal-reader.js';

export class Checkpoint {
  private writing: Promise<void> | undefined;
  private active = false;
  private dirty: WalPosition | undefined;
  private last: WalPosition | undefined;

  constructor(readonly file: string) {}

  static fileFor(dir: string, endpointName: string): string {
    return path.join(dir, `${endpointName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  /** The saved position, or undefined when there is none (or it is unreadable). */
  load(): WalPosition | undefined {
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<WalPosition>;
      if (Number.isInteger(v.segment) && Number.isInteger(v.offset) && v.segment! >= 0 && v.offset! >= 0) {
        this.last = { segment: v.segment!, offset: v.offset! };
        return this.last;
      }
    } catch {
      // absent or damaged: the caller decides where to start
    }
    return undefined;
  }

  /** Synchronous first write, so a position exists before any sample is accepted. */
  initSync(pos: WalPosition): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(pos));
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
        const tmp = `${this.file}.tmp`;
        await fsp.writeFile(tmp, JSON.stringify(pos));
        await fsp.rename(tmp, this.file);
        this.last = pos;
      }
    } finally {
      this.active = false;
    }
  }

  async flush(): Promise<void> {
    for (let i = 0; i < 100 && this.active; i++) await this.writing;
  }

  async remove(): Promise<void> {
    await this.flush();
    await fsp.rm(this.file, { force: true });
  }
}
