// A log destination whose format can change while the process runs (the
// logging block's format applies on reload): the logger always writes JSON
// lines here, and this stream passes them on as JSON or re-encodes them as logfmt.
import { Writable } from 'node:stream';
import { toLogfmt, type LogFormat } from './logger.js';

export class SwitchableLogOutput extends Writable {
  format: LogFormat;

  constructor(
    private readonly dest: NodeJS.WritableStream,
    format: LogFormat,
  ) {
    super();
    this.format = format;
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = String(chunk);
    if (this.format === 'json') {
      this.dest.write(text);
      cb();
      return;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        this.dest.write(toLogfmt(JSON.parse(line)) + '\n');
      } catch {
        this.dest.write(line + '\n');
      }
    }
    cb();
  }
}
