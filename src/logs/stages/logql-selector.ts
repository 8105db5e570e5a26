// The LogQL subset stage.match takes (Alloy's internal/loki/logql): a stream
// selector {name="v", name!="v", name=~"re", name!~"re"} followed by line
// filters |= "text", != "text", |~ "re", !~ "re". Label regexes are fully
// anchored (Prometheus matchers); line filter regexes match anywhere.
import { RE2JS } from 're2js';

export interface LogqlSelector {
  matches(labels: Record<string, string>, line: string): boolean;
}

type Tok = { t: 'op'; v: string; pos: number } | { t: 'str'; v: string; pos: number } | { t: 'id'; v: string; pos: number };

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['!=', '=~', '!~', '|=', '|~'].includes(two)) {
      toks.push({ t: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if ('{},='.includes(c)) {
      toks.push({ t: 'op', v: c, pos: i });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        j++;
      }
      if (j >= src.length) throw new Error(`parse error at col ${i + 1}: literal not terminated`);
      let v: string;
      try {
        v = JSON.parse(src.slice(i, j + 1)) as string; // Go's escapes (\n, \", \\ ...) read the same
      } catch {
        throw new Error(`parse error at col ${i + 1}: invalid string literal`);
      }
      toks.push({ t: 'str', v, pos: i });
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      toks.push({ t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw new Error(`parse error at col ${i + 1}: unexpected "${c}"`);
  }
  return toks;
}

function compileRe(expr: string, anchored: boolean): RE2JS {
  try {
    return RE2JS.compile(anchored ? `^(?:${expr})$` : expr);
  } catch (err) {
    throw new Error(`invalid regular expression "${expr}": ${(err as Error).message}`);
  }
}

export function parseLogqlSelector(src: string): LogqlSelector {
  const toks = lex(src);
  let i = 0;
  const fail = (what: string): never => {
    const t = toks[i];
    throw new Error(`parse error at col ${(t?.pos ?? src.length) + 1}: ${what}`);
  };
  const next = () => toks[i++];
  if (toks[i]?.v !== '{' || toks[i]?.t !== 'op') fail('expected "{"');
  i++;
  const label: ((l: Record<string, string>) => boolean)[] = [];
  for (;;) {
    const name = next();
    if (name?.t !== 'id') fail('expected a label name');
    const op = next();
    if (op?.t !== 'op' || !['=', '!=', '=~', '!~'].includes(op.v)) fail('expected =, !=, =~ or !~');
    const val = next();
    if (val?.t !== 'str') fail('expected a quoted string');
    const n = name!.v;
    const v = val!.v;
    if (op!.v === '=') label.push((l) => (l[n] ?? '') === v);
    else if (op!.v === '!=') label.push((l) => (l[n] ?? '') !== v);
    else {
      const re = compileRe(v, true);
      const want = op!.v === '=~';
      label.push((l) => re.matcher(l[n] ?? '').matches() === want);
    }
    const sep = next();
    if (sep?.t === 'op' && sep.v === ',') continue;
    if (sep?.t === 'op' && sep.v === '}') break;
    i--;
    fail('expected "," or "}"');
  }
  const line: ((s: string) => boolean)[] = [];
  while (i < toks.length) {
    const op = next();
    if (op.t !== 'op' || !['|=', '!=', '|~', '!~'].includes(op.v)) {
      i--;
      fail('expected a line filter (|=, !=, |~, !~)');
    }
    const val = next();
    if (val?.t !== 'str') fail('expected a quoted string after the line filter');
    const v = val!.v;
    if (op.v === '|=') line.push((s) => s.includes(v));
    else if (op.v === '!=') line.push((s) => !s.includes(v));
    else {
      const re = compileRe(v, false);
      const want = op.v === '|~';
      line.push((s) => re.matcher(s).find() === want);
    }
  }
  return {
    matches(labels, text) {
      for (const m of label) if (!m(labels)) return false;
      for (const f of line) if (!f(text)) return false;
      return true;
    },
  };
}
