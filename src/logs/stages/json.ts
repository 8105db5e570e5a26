// stage.json: parses the line (or an extracted value) as a JSON object and
// extracts values by JMESPath expression (an empty expression means the key
// name) and/or every top-level key matching `regex`. Strings, numbers,
// booleans and null are stored as they are, objects and arrays as JSON
// text. Input that is not a JSON object is left alone, or dropped with
// drop_malformed.
import { compileGoRegexp, type GoRegexp } from './go-regexp.js';
import { compilePath, type CompiledPath } from './jmespath.js';
import { rejectEmptySource, stageInput } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface JsonArgs {
  expressions?: Record<string, string | null>;
  regex?: string;
  source?: string;
  drop_malformed?: boolean;
}

function simplify(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

export function jsonStage(args: JsonArgs, onMalformedDrop: () => void): Stage {
  const exprs: [string, CompiledPath][] = Object.entries(args.expressions ?? {}).map(([key, expr]) => {
    try {
      return [key, compilePath(expr || key)];
    } catch (err) {
      throw new Error(`stage.json: expression for "${key}": ${(err as Error).message}`);
    }
  });
  if (exprs.length === 0 && !args.regex) throw new Error('stage.json: JMES expressions or regex is required');
  rejectEmptySource('stage.json', args.source);
  const re: GoRegexp | undefined = args.regex ? compileGoRegexp('stage.json regex', args.regex) : undefined;
  return {
    name: 'json',
    process(e: StageEntry) {
      const input = stageInput(e, args.source);
      if (input === undefined) return true;
      let doc: unknown;
      try {
        doc = JSON.parse(input);
      } catch {
        doc = undefined;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        if (args.drop_malformed) {
          onMalformedDrop();
          return false;
        }
        return true;
      }
      for (const [key, path] of exprs) {
        let v: unknown;
        try {
          v = path(doc);
        } catch {
          continue; // a runtime JMESPath error skips this expression only
        }
        e.extracted[key] = simplify(v ?? null);
      }
      if (re) {
        for (const [k, v] of Object.entries(doc as Record<string, unknown>)) if (re.test(k)) e.extracted[k] = simplify(v);
      }
      return true;
    },
  };
}
