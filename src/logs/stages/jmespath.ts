// The subset of JMESPath that stage.json configurations use in practice:
// field names, quoted field names ("a.b"), sub-expressions (a.b.c) and
// array indexes (a[0], a[-1]). Anything else is rejected when the
// configuration is loaded, not silently mis-evaluated.
type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number };

export type CompiledPath = (v: unknown) => unknown;

export function compilePath(expr: string): CompiledPath {
  const steps = parse(expr);
  return (v: unknown) => {
    let cur = v;
    for (const s of steps) {
      if (cur === null || cur === undefined) return undefined;
      if (s.kind === 'field') {
        if (typeof cur !== 'object' || Array.isArray(cur)) return undefined;
        cur = (cur as Record<string, unknown>)[s.name];
      } else {
        if (!Array.isArray(cur)) return undefined;
        cur = cur[s.index < 0 ? cur.length + s.index : s.index];
      }
    }
    return cur;
  };
}

function parse(expr: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`unsupported JMESPath expression "${expr}" at offset ${i}: ${why}`);
  };
  const s = expr.trim();
  if (s === '') fail('empty expression');
  let expectField = true;
  while (i < s.length) {
    const c = s[i];
    if (expectField) {
      if (c === '"') {
        let j = i + 1;
        let raw = '';
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\') raw += s[j++];
          raw += s[j++];
        }
        if (j >= s.length) fail('unterminated quoted identifier');
        steps.push({ kind: 'field', name: JSON.parse(`"${raw}"`) as string });
        i = j + 1;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
        if (!m) fail('expected a field name');
        steps.push({ kind: 'field', name: m![0] });
        i += m![0].length;
      }
      expectField = false;
    } else if (c === '.') {
      i++;
      expectField = true;
    } else if (c === '[') {
      const m = /^\[\s*(-?\d+)\s*\]/.exec(s.slice(i));
      if (!m) fail('only numeric indexes like [0] are supported');
      steps.push({ kind: 'index', index: Number(m![1]) });
      i += m![0].length;
    } else {
      fail(`unexpected "${c}"`);
    }
  }
  if (expectField) fail('expression ends with "."');
  return steps;
}
