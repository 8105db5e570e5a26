// Go regexp (RE2) for stage arguments: compiled with re2js so syntax and
// semantics are Go's (e.g. (?P<name>...), no backreferences, linear time).
// A bad expression is a configuration error naming the argument.
import { RE2JS } from 're2js';

export interface GoRegexp {
  readonly source: string;
  /** Unanchored search (Go's MatchString). */
  test(s: string): boolean;
  /** Capture group names by group index (index 0 and unnamed groups: ''). */
  readonly groupNames: string[];
  /** First match: group texts (undefined for groups that did not take part), or undefined. */
  exec(s: string): (string | undefined)[] | undefined;
  /** Every non-overlapping match: [start, end] of group 0 and each group (-1 when unset), as Go's FindAllStringSubmatchIndex. */
  execAll(s: string): number[][];
  re: RE2JS;
}

export function compileGoRegexp(what: string, expr: string): GoRegexp {
  let re: RE2JS;
  try {
    re = RE2JS.compile(expr);
  } catch (err) {
    throw new Error(`${what}: could not compile regular expression "${expr}": ${(err as Error).message}`);
  }
  const count = re.groupCount();
  const named = re.namedGroups() as Record<string, number>;
  const groupNames: string[] = new Array(count + 1).fill('');
  for (const [name, idx] of Object.entries(named)) groupNames[idx] = name;
  return {
    source: expr,
    re,
    groupNames,
    test: (s) => re.matcher(s).find(),
    exec(s) {
      const m = re.matcher(s);
      if (!m.find()) return undefined;
      const out: (string | undefined)[] = [];
      for (let i = 0; i <= count; i++) {
        const g = m.group(i);
        out.push(g === null ? undefined : g);
      }
      return out;
    },
    execAll(s) {
      const m = re.matcher(s);
      const all: number[][] = [];
      let prevEnd = -1;
      while (m.find()) {
        // Go allows no empty match right where the previous match ended.
        if (m.start(0) === m.end(0) && m.start(0) === prevEnd) continue;
        prevEnd = m.end(0);
        const idx: number[] = [];
        for (let i = 0; i <= count; i++) {
          idx.push(m.start(i), m.end(i));
        }
        all.push(idx);
        if (all.length > s.length + 1) break; // bound: at most one (empty) match per position
      }
      return all;
    },
  };
}
