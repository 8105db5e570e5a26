// stage.json: parses the line (or an extracted field) as JSON and extracts
// values by JMESPath expression; an empty expression means the key name.
import { compilePath, type CompiledPath } from './jmespath.js';
import { extractedString, type Stage, type StageEntry } from './types.js';

export interface JsonArgs {
  expressions?: Record<string, string | null>;
  source?: string;
  drop_malformed?: boolean;
}

export function jsonStage(args: JsonArgs, onMalformedDrop: () => void): Stage {
  const exprs: [string, CompiledPath][] = Object.entries(args.expressions ?? {}).map(([key, expr]) => {
    try {
      return [key, compilePath(expr || key)];
    } catch (err) {
      throw new Error(`stage.json: expression for "${key}": ${(err as Error).message}`);
    }
  });
  if (exprs.length === 0) throw new Error('stage.json: expressions must not be empty');
  const source = args.source;
  return {
    name: 'json',
    process(e: StageEntry) {
      const input = source ? extractedString(e.extracted[source]) : e.line;
      if (input === undefined) return true;
      let doc: unknown;
      try {
        doc = JSON.parse(input);
      } catch {
        if (args.drop_malformed) {
          onMalformedDrop();
          return false;
        }
        return true;
      }
      if (typeof doc !== 'object' || doc === null) return true;
      for (const [key, path] of exprs) {
        const v = path(doc);
        if (v !== undefined) e.extracted[key] = v;
      }
      return true;
    },
  };
}
