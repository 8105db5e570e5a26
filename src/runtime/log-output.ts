// A log destination whose format can change while the process runs (the
// logging block's format applies on reload): the logger always writes JSON
// lines here, and this stream passes them on as JSON or re-encodes them as logfmt.
// The logging block's write_to receivers get each line too, as Alloy sends
// them: one entry per line, labelled component="alloy".
import { Writable } from 'node:stream';
import type { LogsReceiver } from '../pipeline/logs.js';
import { toLogfmt, type LogFormat } from './logger.js';

/** Lines handed to receivers and not yet accepted; beyond this, lines are dropped (Alloy drops when blocked). */
const MAX_IN_FLIGHT = 256;

export class SwitchableLogOutput extends Writable {
  format: LogFormat;
  receivers: readonly LogsReceiver[] = [];
  private inFlight = 0;
  /** Lines not sent to write_to receivers because too many were pending. */
  dropped = 0;

  constructor(
    private readonly dest: NodeJS.WritableStream,
    format: LogFormat,
  ) {
    super();
    this.format = format;
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = String(chunk);
    for (const line of text.split('\n')) {
      if (!line) continue;
      let out = line;
      if (this.format === 'logfmt') {
        try {
          out = toLogfmt(JSON.parse(line));
        } catch {
          // not JSON: pass it on as it is
        }
      }
      this.dest.write(out + '\n');
      this.tee(out);
    }
    cb();
  }

  private tee(line: string): void {
    if (this.receivers.length === 0) return;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.dropped++;
      return;
    }
    const entry = { labels: { component: 'alloy' }, ts: BigInt(Date.now()) * 1_000_000n, line };
    for (const r of this.receivers) {
      this.inFlight++;
      // A receiver that fails must not make logging fail (nor log about it: that would loop).
      r.append([entry]).then(
        () => this.inFlight--,
        () => this.inFlight--,
      );
    }
  }
}
