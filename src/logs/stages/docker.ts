// stage.docker: unpacks Docker's json-file format {"log","stream","time"}:
// the line becomes `log`, `stream` a label, `time` the timestamp; extracted
// output/stream/timestamp are set. Lines that are not such JSON pass as is.
import { parseRFC3339Nano } from '../tail/timestamp.js';
import type { Stage, StageEntry } from './types.js';

export function dockerStage(): Stage {
  return {
    name: 'docker',
    process(e: StageEntry) {
      let doc: unknown;
      try {
        doc = JSON.parse(e.line);
      } catch {
        return true;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return true;
      const d = doc as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      const log = str(d.log);
      if (log === '') return true;
      const stream = str(d.stream);
      const time = str(d.time);
      e.extracted.output = log;
      e.extracted.stream = stream;
      e.extracted.timestamp = time;
      e.line = log;
      e.labels.stream = stream;
      const ts = parseRFC3339Nano(time);
      if (ts !== undefined) e.ts = ts;
      return true;
    },
  };
}
