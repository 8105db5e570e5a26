// stage.decolorize: removes ANSI escape sequences (colours, cursor codes)
// from the line, with the same pattern Alloy uses.
import type { Stage, StageEntry } from './types.js';

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[a-zA-Z\d]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PRZcf-ntqry=><~]))/g;

export function decolorize(line: string): string {
  return line.replace(ANSI, '');
}

export function decolorizeStage(): Stage {
  return {
    name: 'decolorize',
    process(e: StageEntry) {
      e.line = decolorize(e.line);
      return true;
    },
  };
}
