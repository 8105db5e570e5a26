// stage.split_json: a top-level JSON array in the line (or an extracted
// value) becomes one entry per element, in order; each new line is the
// element's text exactly as written (not re-encoded), each entry gets its
// own copy of labels, extracted map and structured metadata. An empty array
// drops the entry; anything else passes unchanged.
import { scalarString } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface SplitJsonArgs {
  source?: string;
}

/** The raw text of each top-level element of a JSON array (input already known to be valid JSON). */
export function splitJsonArray(input: string): string[] {
  const out: string[] = [];
  let i = input.indexOf('[') + 1;
  let depth = 0;
  let start = -1;
  let inString = false;
  for (; i < input.length; i++) {
    const c = input[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (start < 0) start = i;
      continue;
    }
    if (depth === 0 && (c === ',' || c === ']')) {
      if (start >= 0) out.push(input.slice(start, i).trimEnd());
      start = -1;
      if (c === ']') break;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    if (start < 0 && !/\s/.test(c)) start = i;
  }
  return out;
}

export function splitJsonStage(args: SplitJsonArgs): Stage {
  if (args.source !== undefined && args.source === '') throw new Error('stage.split_json: source cannot be empty');
  return {
    name: 'split_json',
    process(e: StageEntry) {
      let input = e.line;
      if (args.source !== undefined) {
        if (!(args.source in e.extracted)) return true;
        const v = scalarString(e.extracted[args.source]);
        if (v === undefined) return true;
        input = v;
      }
      if (!/^[ \t\r\n]*\[/.test(input)) return true;
      let doc: unknown;
      try {
        doc = JSON.parse(input);
      } catch {
        return true;
      }
      if (!Array.isArray(doc)) return true;
      const elems = splitJsonArray(input);
      return elems.map((line, i) =>
        i === elems.length - 1
          ? Object.assign(e, { line })
          : { labels: { ...e.labels }, ts: e.ts, line, extracted: { ...e.extracted }, structuredMetadata: { ...e.structuredMetadata } },
      );
    },
  };
}
