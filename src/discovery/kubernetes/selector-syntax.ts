// Syntax checks for the label and field selector strings of `selectors` blocks, with the rules
// of Kubernetes apimachinery (labels.Parse, fields.ParseSelector). A malformed selector can
// never work (the API server answers 400 on every list), so it is a configuration error.

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SPECIAL = new Set(['!', '=', '(', ')', ',', '<', '>']);

/** validation.IsQualifiedName: `[prefix/]name`, name ≤ 63 chars, prefix a DNS subdomain. */
function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `key ${JSON.stringify(key)}: the prefix must be a DNS subdomain`;
  if (!name || name.length > 63 || !NAME.test(name)) {
    return `key ${JSON.stringify(key)}: a name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  }
  return undefined;
}

/** validation.IsValidLabelValue: empty, or ≤ 63 chars of the name alphabet. */
function valueProblem(v: string): string | undefined {
  if (v === '' || (v.length <= 63 && NAME.test(v))) return undefined;
  return `value ${JSON.stringify(v)}: must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
}

type Tok = { kind: 'id' | 'op'; text: string };

function lexLabels(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (SPECIAL.has(c)) {
      const two = s.slice(i, i + 2);
      const op = two === '==' || two === '!=' ? two : c;
      out.push({ kind: 'op', text: op });
      i += op.length;
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j]) && !SPECIAL.has(s[j])) j++;
      out.push({ kind: 'id', text: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** The reason a label selector string is malformed, or undefined when it parses. */
export function labelSelectorProblem(s: string): string | undefined {
  const toks = lexLabels(s);
  let i = 0;
  const peek = () => toks[i];
  const idAt = (what: string): string => {
    const t = toks[i++];
    if (!t || t.kind !== 'id') throw new Error(`expected ${what}, found ${t ? JSON.stringify(t.text) : 'the end'}`);
    return t.text;
  };
  try {
    if (toks.length === 0) return undefined;
    for (;;) {
      const negated = peek()?.text === '!';
      if (negated) i++;
      const key = idAt('a label key');
      const kp = keyProblem(key);
      if (kp) throw new Error(kp);
      const t = peek();
      if (negated || !t || t.text === ',') {
        // Existence test: `key` or `!key`.
      } else if (t.kind === 'op' && ['=', '==', '!=', '<', '>'].includes(t.text)) {
        i++;
        const v = peek()?.kind === 'id' ? idAt('a value') : '';
        if (t.text === '<' || t.text === '>') {
          if (!/^-?\d+$/.test(v)) throw new Error(`for '${t.text}' the value must be an integer, got ${JSON.stringify(v)}`);
        } else {
          const vp = valueProblem(v);
          if (vp) throw new Error(vp);
        }
      } else if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) {
        i++;
        if (peek()?.text !== '(') throw new Error(`expected '(' after ${t.text}`);
        i++;
        while (peek() && peek().text !== ')') {
          const v = peek().kind === 'id' ? idAt('a value') : '';
          const vp = valueProblem(v);
          if (vp) throw new Error(vp);
          if (peek()?.text === ',') i++;
          else if (!peek()) break;
          else if (peek().text !== ')') throw new Error(`expected ',' or ')' in the ${t.text} list, found ${JSON.stringify(peek().text)}`);
        }
        if (peek()?.text !== ')') throw new Error(`missing ')' after the ${t.text} list`);
        i++;
        // "()" is the set {""} for apimachinery, not an empty set: nothing to reject.
      } else {
        throw new Error(`unexpected ${JSON.stringify(t.text)} after key ${JSON.stringify(key)}`);
      }
      if (i >= toks.length) return undefined;
      if (peek().text !== ',') throw new Error(`expected ',' after the requirement on ${JSON.stringify(key)}, found ${JSON.stringify(peek().text)}`);
      i++;
    }
  } catch (e) {
    return (e as Error).message;
  }
}

/** fields.UnescapeValue: only `\\`, `\,` and `\=` are escapes; bare `,` and `=` are not allowed. */
function fieldValueProblem(v: string): string | undefined {
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined) return `value ${JSON.stringify(v)} ends with an unfinished escape`;
      if (n !== '\\' && n !== ',' && n !== '=') return `value ${JSON.stringify(v)}: invalid escape sequence \\${n}`;
      i++;
    } else if (c === ',' || c === '=') {
      return `value ${JSON.stringify(v)}: unescaped ${c} (write \\${c})`;
    }
  }
  return undefined;
}

/** The reason a field selector string is malformed, or undefined when it parses. */
export function fieldSelectorProblem(s: string): string | undefined {
  // Split on commas that are not escaped.
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      parts.push(cur);
      cur = '';
    } else cur += s[i];
  }
  parts.push(cur);
  for (const part of parts) {
    if (part === '') continue;
    let found: { lhs: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      if (part[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '=']) {
        if (part.startsWith(op, i)) {
          found = { lhs: part.slice(0, i), rhs: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (!found) return `${JSON.stringify(part)} is not <field>=<value>, <field>==<value> or <field>!=<value>`;
    const vp = fieldValueProblem(found.rhs);
    if (vp) return vp;
  }
  return undefined;
}
