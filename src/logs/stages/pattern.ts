// stage.pattern: LogQL's pattern parser. A pattern is literal text with
// captures `<name>` (extracted) and `<_>` (skipped); each capture takes the
// text up to the next literal, the last one the rest of the input.
import { rejectEmptySource, stageInput } from './source.js';
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

type Node = { kind: 'literal'; text: string } | { kind: 'capture'; name: string };

export interface PatternMatcher {
  names: string[];
  /** The named captures, in order; fewer than names when the input ran out; undefined: no match. */
  matches(input: string): string[] | undefined;
}

const CAPTURE = /<([A-Za-z_][A-Za-z0-9_]*)>/g;

export function compilePattern(pattern: string): PatternMatcher {
  const nodes: Node[] = [];
  let last = 0;
  for (const m of pattern.matchAll(CAPTURE)) {
    if (m.index! > last) nodes.push({ kind: 'literal', text: pattern.slice(last, m.index) });
    nodes.push({ kind: 'capture', name: m[1] });
    last = m.index! + m[0].length;
  }
  if (last < pattern.length) nodes.push({ kind: 'literal', text: pattern.slice(last) });
  const names = nodes.flatMap((n) => (n.kind === 'capture' && n.name !== '_' ? [n.name] : []));
  if (names.length === 0) throw new Error('at least one capture is required');
  for (let i = 0; i + 1 < nodes.length; i += 2) {
    if (nodes[i].kind === 'capture' && nodes[i + 1].kind === 'capture') throw new Error('found consecutive capture: invalid expression');
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`duplicate capture name (${n}): invalid expression`);
    seen.add(n);
  }
  return {
    names,
    matches(input: string) {
      if (input === '') return undefined;
      let rest = input;
      let i = 0;
      if (nodes[0].kind === 'literal') {
        if (!rest.startsWith(nodes[0].text)) return undefined;
        rest = rest.slice(nodes[0].text.length);
        i = 1;
      }
      if (i >= nodes.length) return undefined;
      const out: string[] = [];
      while (i < nodes.length) {
        const cap = nodes[i] as { kind: 'capture'; name: string };
        if (i === nodes.length - 1) {
          if (cap.name !== '_') out.push(rest);
          return out;
        }
        const lit = (nodes[i + 1] as { kind: 'literal'; text: string }).text;
        i += 2;
        const at = rest.indexOf(lit);
        if (at < 0) {
          if (cap.name !== '_') out.push(rest);
          return out;
        }
        if (cap.name !== '_') out.push(rest.slice(0, at));
        rest = rest.slice(at + lit.length);
      }
      return out;
    },
  };
}

export interface PatternArgs {
  pattern?: string;
  source?: string;
  labels_from_groups?: boolean;
}

export function patternStage(args: PatternArgs): Stage {
  if (!args.pattern) throw new Error('stage.pattern: pattern is required');
  rejectEmptySource('stage.pattern', args.source);
  let matcher: PatternMatcher;
  try {
    matcher = compilePattern(args.pattern);
  } catch (err) {
    throw new Error(`stage.pattern: failed to parse pattern "${args.pattern}": ${(err as Error).message}`);
  }
  for (const n of matcher.names) if (!isValidLabelName(n)) throw new Error(`stage.pattern: invalid capture label name '${n}'`);
  const asLabels = args.labels_from_groups ?? false;
  return {
    name: 'pattern',
    process(e: StageEntry) {
      const input = stageInput(e, args.source);
      if (input === undefined) return true;
      const m = matcher.matches(input);
      if (!m) return true;
      m.forEach((v, i) => {
        const name = matcher.names[i];
        e.extracted[name] = v;
        if (asLabels) e.labels[name] = v;
      });
      return true;
    },
  };
}
