// The one parser for Kubernetes label and field selector strings, with the grammar of
// apimachinery (labels.Parse, fields.ParseSelector). Callers decide what a syntax error means:
// discovery turns it into a configuration error, the e2e API emulator into a 400 Status.

/** A selector string that does not parse; `reason` says why, without repeating the selector. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** For field selectors: the term that could not be understood, when that was the problem. */
    readonly term?: string,
  ) {
    super(reason);
    this.name = 'SelectorSyntaxError';
  }
}

export type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SPECIAL = new Set(['!', '=', '(', ')', ',', '<', '>']);
const INTEGER = /^-?\d+$/;

/** validation.IsQualifiedName: `[prefix/]name`, name ≤ 63 chars, prefix a DNS subdomain. */
function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorSyntaxError(`key ${JSON.stringify(key)}: the prefix must be a DNS subdomain`);
  }
  if (!name || name.length > 63 || !NAME.test(name)) {
    throw new SelectorSyntaxError(
      `key ${JSON.stringify(key)}: a name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    );
  }
}

/** validation.IsValidLabelValue: empty, or ≤ 63 chars of the name alphabet. */
function checkValue(v: string): void {
  if (v === '' || (v.length <= 63 && NAME.test(v))) return;
  throw new SelectorSyntaxError(
    `value ${JSON.stringify(v)}: must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
  );
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

/**
 * Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`. An empty string selects everything.
 * As in apimachinery, `()` is the set {""} and an empty slot in a list is the value "".
 * Throws SelectorSyntaxError.
 */
export function parseLabelSelector(s: string | undefined): LabelSelector {
  const toks = lexLabels(s ?? '');
  const reqs: LabelSelector = [];
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const id = (what: string): string => {
    const t = toks[i++];
    if (!t || t.kind !== 'id') throw new SelectorSyntaxError(`expected ${what}, found ${t ? JSON.stringify(t.text) : 'the end'}`);
    return t.text;
  };
  // A value slot may be empty (`a=`, `a in (x,)`): the next token is then an operator or the end.
  const optionalValue = (): string => (peek()?.kind === 'id' ? id('a value') : '');
  if (toks.length === 0) return reqs;
  for (;;) {
    const negated = peek()?.text === '!';
    if (negated) i++;
    const key = id('a label key');
    checkKey(key);
    const t = peek();
    if (negated) {
      reqs.push({ key, op: '!' });
    } else if (!t || t.text === ',') {
      reqs.push({ key, op: 'exists' });
    } else if (t.kind === 'op' && ['=', '==', '!=', '<', '>'].includes(t.text)) {
      i++;
      const v = optionalValue();
      if (t.text === '<' || t.text === '>') {
        if (!INTEGER.test(v)) throw new SelectorSyntaxError(`for '${t.text}' the value must be an integer, got ${JSON.stringify(v)}`);
        reqs.push({ key, op: t.text === '>' ? 'gt' : 'lt', value: Number(v) });
      } else {
        checkValue(v);
        reqs.push({ key, op: t.text === '!=' ? '!=' : '=', value: v });
      }
    } else if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) {
      i++;
      if (peek()?.text !== '(') throw new SelectorSyntaxError(`expected '(' after ${t.text}`);
      i++;
      const values: string[] = [];
      for (;;) {
        const v = optionalValue();
        checkValue(v);
        values.push(v);
        const n = peek();
        if (!n) throw new SelectorSyntaxError(`missing ')' after the ${t.text} list`);
        if (n.text === ')') break;
        if (n.text !== ',') throw new SelectorSyntaxError(`expected ',' or ')' in the ${t.text} list, found ${JSON.stringify(n.text)}`);
        i++;
      }
      i++;
      reqs.push({ key, op: t.text, values });
    } else {
      throw new SelectorSyntaxError(`unexpected ${JSON.stringify(t.text)} after key ${JSON.stringify(key)}`);
    }
    const n = peek();
    if (!n) return reqs;
    if (n.text !== ',') throw new SelectorSyntaxError(`expected ',' after the requirement on ${JSON.stringify(key)}, found ${JSON.stringify(n.text)}`);
    i++;
  }
}

/** Whether labels satisfy every requirement. `!=` and `notin` match an absent key, as in apimachinery. */
export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
        return has && v === r.value;
      case '!=':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v);
      case 'notin':
        return !has || !r.values.includes(v);
      case 'gt':
      case 'lt':
        if (!has || !INTEGER.test(v)) return false;
        return r.op === 'gt' ? Number(v) > r.value : Number(v) < r.value;
    }
  });
}

export interface FieldTerm {
  /** The field path as written (not trimmed). */
  field: string;
  op: '=' | '!=';
  /** The value with its escapes resolved. */
  value: string;
}

/** fields.UnescapeValue: only `\\`, `\,` and `\=` are escapes; bare `,` and `=` are not allowed. */
function unescapeFieldValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined) throw new SelectorSyntaxError(`value ${JSON.stringify(v)} ends with an unfinished escape`);
      if (n !== '\\' && n !== ',' && n !== '=') throw new SelectorSyntaxError(`value ${JSON.stringify(v)}: invalid escape sequence \\${n}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new SelectorSyntaxError(`value ${JSON.stringify(v)}: unescaped ${c} (write \\${c})`);
    } else out += c;
  }
  return out;
}

/** Splits on commas that are not escaped; escapes are kept for the value parser. */
function splitFieldTerms(s: string): string[] {
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
  return parts;
}

/**
 * Parses `f1=v1,f2==v2,f3!=v3` (values may escape `\,`, `\=` and `\\`). Empty terms are skipped,
 * as in apimachinery. Which fields exist is the server's business, not the grammar's.
 * Throws SelectorSyntaxError.
 */
export function parseFieldSelectorTerms(s: string | undefined): FieldTerm[] {
  const terms: FieldTerm[] = [];
  for (const part of splitFieldTerms(s ?? '')) {
    if (part === '') continue;
    let found: { lhs: string; op: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      if (part[i] === '\\') {
        i++;
        continue;
      }
      const op = ['!=', '==', '='].find((o) => part.startsWith(o, i));
      if (op) found = { lhs: part.slice(0, i), op, rhs: part.slice(i + op.length) };
    }
    if (!found) throw new SelectorSyntaxError(`${JSON.stringify(part)} is not <field>=<value>, <field>==<value> or <field>!=<value>`, part);
    terms.push({ field: found.lhs, op: found.op === '!=' ? '!=' : '=', value: unescapeFieldValue(found.rhs) });
  }
  return terms;
}
