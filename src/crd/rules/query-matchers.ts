// extra_query_matchers of mimir.rules.kubernetes and loki.rules.kubernetes:
// every series selector of a rule's query gets the configured label matchers,
// as `promtool promql label-matchers set` does (Alloy's algorithm): a matcher
// on a label the selector already matches replaces that matcher's operator
// and value; otherwise it is appended. PromQL queries (Mimir) are parsed with
// Prometheus's own grammar, LogQL queries (Loki) with Grafana's; only the
// selectors are rewritten, the rest of the query keeps its text.
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';

export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

/** One `matcher` block as decoded (value_from_label: Mimir only). */
export interface QueryMatcher {
  name: string;
  match_type: string;
  value?: string;
  value_from_label?: string;
}

export type QueryLanguage = 'promql' | 'logql';

interface LabelMatcher {
  name: string;
  op: string;
  value: string;
  /** The original text, kept when the matcher is not changed. */
  text?: string;
}

/** Alloy's validation of one matcher block. */
export function validateQueryMatcher(m: QueryMatcher, o: { valueFromLabel: boolean }): void {
  if (!(MATCH_TYPES as readonly string[]).includes(m.match_type)) throw new Error(`invalid match type: ${JSON.stringify(m.match_type)}`);
  if (!o.valueFromLabel) return;
  const sources = [m.value, m.value_from_label].filter((v) => v !== undefined && v !== '').length;
  if (sources !== 1) throw new Error(`exactly one of 'value' or 'value_from_label' must be provided, got ${sources}`);
}

/**
 * The matchers with their values resolved against the PrometheusRule's labels
 * (value_from_label). Throws when a referenced label is missing or empty.
 */
export function resolveMatchers(matchers: QueryMatcher[], crLabels: Record<string, string>): { name: string; op: string; value: string }[] {
  return matchers.map((m) => {
    if (!m.value_from_label) return { name: m.name, op: m.match_type, value: m.value ?? '' };
    const v = crLabels[m.value_from_label];
    if (v === undefined) throw new Error(`label ${m.value_from_label} not found`);
    if (v === '') throw new Error(`value for label ${m.value_from_label} is empty`);
    return { name: m.name, op: m.match_type, value: v };
  });
}

/** The query with the matchers set on every selector; throws on a query that does not parse. */
export function setQueryMatchers(query: string, lang: QueryLanguage, matchers: { name: string; op: string; value: string }[]): string {
  if (matchers.length === 0) return query;
  const tree: Tree = (lang === 'promql' ? promqlParser : logqlParser).parse(query);
  const bad = firstError(tree.topNode);
  if (bad !== undefined) throw new Error(`cannot parse ${lang === 'promql' ? 'PromQL' : 'LogQL'} query ${JSON.stringify(query)} at offset ${bad}`);
  const edits: { from: number; to: number; text: string }[] = [];
  for (const sel of findAll(tree.topNode, lang === 'promql' ? 'VectorSelector' : 'Selector')) {
    edits.push({ from: sel.from, to: sel.to, text: lang === 'promql' ? rewritePromSelector(query, sel, matchers) : rewriteLogSelector(query, sel, matchers) });
  }
  // Selectors do not nest, so the edits do not overlap; apply from the end.
  let out = query;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

function firstError(n: SyntaxNode): number | undefined {
  if (n.type.isError) return n.from;
  for (let c = n.firstChild; c; c = c.nextSibling) {
    const e = firstError(c);
    if (e !== undefined) return e;
  }
  return undefined;
}

function findAll(n: SyntaxNode, name: string, out: SyntaxNode[] = []): SyntaxNode[] {
  if (n.name === name) {
    out.push(n);
    return out;
  }
  for (let c = n.firstChild; c; c = c.nextSibling) findAll(c, name, out);
  return out;
}

function child(n: SyntaxNode, names: string[]): SyntaxNode | undefined {
  for (let c = n.firstChild; c; c = c.nextSibling) if (names.includes(c.name)) return c;
  return undefined;
}

/** Apply the matchers in order: replace every matcher on the label, or append one. */
function apply(existing: LabelMatcher[], matchers: { name: string; op: string; value: string }[]): LabelMatcher[] {
  let out = existing;
  for (const m of matchers) {
    let found = false;
    out = out.map((l) => {
      if (l.name !== m.name) return l;
      found = true;
      return { name: l.name, op: m.op, value: m.value };
    });
    if (!found) out = [...out, { name: m.name, op: m.op, value: m.value }];
  }
  return out;
}

const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function printMatcher(m: LabelMatcher): string {
  if (m.text !== undefined) return m.text;
  const name = IDENT.test(m.name) ? m.name : JSON.stringify(m.name);
  return `${name}${m.op}${JSON.stringify(m.value)}`;
}

// --- PromQL -----------------------------------------------------------------

function rewritePromSelector(q: string, sel: SyntaxNode, matchers: { name: string; op: string; value: string }[]): string {
  const ident = child(sel, ['Identifier']);
  const list: LabelMatcher[] = [];
  if (ident) list.push({ name: '__name__', op: '=', value: q.slice(ident.from, ident.to), text: '' });
  const lm = child(sel, ['LabelMatchers']);
  for (let c = lm?.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'UnquotedLabelMatcher' && c.name !== 'QuotedLabelMatcher' && c.name !== 'QuotedLabelName') continue;
    const text = q.slice(c.from, c.to);
    const nameNode = child(c, ['LabelName']) ?? child(child(c, ['QuotedLabelName']) ?? c, ['StringLiteral']);
    const op = child(c, ['MatchOp']);
    const valueNode = op ? lastChild(c, 'StringLiteral') : undefined;
    if (!op || !valueNode) {
      // {"metric.name"}: a quoted metric name (Prometheus 3).
      list.push({ name: '__name__', op: '=', value: unquote(text), text });
      continue;
    }
    const rawName = q.slice(nameNode!.from, nameNode!.to);
    list.push({ name: nameNode!.name === 'LabelName' ? rawName : unquote(rawName), op: q.slice(op.from, op.to), value: unquote(q.slice(valueNode.from, valueNode.to)), text });
  }
  const result = apply(list, matchers);
  // The metric name stays in front when it is still a plain equality on __name__.
  const nameIdx = ident ? result.findIndex((m) => m.name === '__name__' && m.text === '') : -1;
  const prefix = nameIdx >= 0 ? q.slice(ident!.from, ident!.to) : '';
  const inner = result.filter((_m, i) => i !== nameIdx).map(printMatcher);
  return `${prefix}{${inner.join(', ')}}`;
}

function lastChild(n: SyntaxNode, name: string): SyntaxNode | undefined {
  let last: SyntaxNode | undefined;
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name === name) last = c;
  return last;
}

// --- LogQL ------------------------------------------------------------------

function rewriteLogSelector(q: string, sel: SyntaxNode, matchers: { name: string; op: string; value: string }[]): string {
  const list: LabelMatcher[] = findAll(sel, 'Matcher').map((m) => {
    const id = child(m, ['Identifier'])!;
    const op = child(m, ['Eq', 'Neq', 'Re', 'Nre'])!;
    const v = child(m, ['String'])!;
    return { name: q.slice(id.from, id.to), op: q.slice(op.from, op.to), value: unquote(q.slice(v.from, v.to)), text: q.slice(m.from, m.to) };
  });
  return `{${apply(list, matchers).map(printMatcher).join(', ')}}`;
}

// --- strings ----------------------------------------------------------------

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** A PromQL/LogQL string literal's value ("...", '...' with Go escapes, `...` raw). */
export function unquote(lit: string): string {
  const quote = lit[0];
  const body = lit.slice(1, -1);
  if (quote === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i];
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else if (e >= '0' && e <= '7') {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else out += e;
  }
  return out;
}
