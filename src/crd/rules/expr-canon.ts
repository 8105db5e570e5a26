// Rule queries as the rulers see them. The Mimir ruler parses every PromQL
// expression and answers with Prometheus's printed form (one line, `by`
// before the body, `group_left ()`, durations re-spelled), so comparing
// texts would re-push every multi-line query on every sync (Alloy #5461).
// Here a query becomes a canonical token string from its syntax tree
// (Prometheus's grammar for PromQL, Grafana's for LogQL): whitespace and
// comments drop out, aggregation modifiers go before the body, numbers,
// durations and quoting are normalised. The same parse finds syntax errors
// before a group is sent, so one bad query is reported instead of retried.
import type { SyntaxNode } from '@lezer/common';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parseDuration } from '../../syntax/duration.js';
import type { QueryLanguage } from './query-matchers.js';

function parse(expr: string, lang: QueryLanguage) {
  return (lang === 'promql' ? promqlParser : logqlParser).parse(expr);
}

/** Line:column of an offset, 1-based, as Prometheus reports parse errors. */
function position(text: string, at: number): string {
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

function firstError(tree: ReturnType<typeof parse>): number | undefined {
  let err: number | undefined;
  tree.iterate({
    enter(n) {
      if (err !== undefined) return false;
      if (n.type.isError) err = n.from;
      return undefined;
    },
  });
  return err;
}

/** The first syntax error of a query, or undefined when it parses. */
export function exprSyntaxError(expr: string, lang: QueryLanguage): string | undefined {
  const err = firstError(parse(expr, lang));
  if (err === undefined) return undefined;
  const near = expr.slice(err, err + 20).trim();
  return `could not parse expression: ${position(expr, err)}: parse error ${near ? `near ${JSON.stringify(near)}` : 'at end of input'}`;
}

const STRING_NODES = new Set(['StringLiteral', 'String']);
const NUMBER_NODES = new Set(['NumberDurationLiteral', 'Number', 'NumberLiteral']);
const DURATION_NODES = new Set(['NumberDurationLiteralInDurationContext', 'Duration']);
const SKIPPED = new Set(['LineComment']);

/** Punctuation one character per token, words and numbers whole. */
function gapTokens(text: string): string[] {
  return text.match(/[A-Za-z0-9_:.]+|[^\sA-Za-z0-9_:.]/g) ?? [];
}

function leafToken(name: string, text: string): string {
  if (STRING_NODES.has(name) && text.length >= 2) return `"${text.slice(1, -1)}"`;
  if (NUMBER_NODES.has(name)) {
    const n = Number(text);
    if (Number.isFinite(n)) return String(n);
    try {
      return `${parseDuration(text)}ms`;
    } catch {
      return text;
    }
  }
  if (DURATION_NODES.has(name)) {
    try {
      return `${parseDuration(text)}ms`;
    } catch {
      return text;
    }
  }
  return text;
}

function tokens(node: SyntaxNode, text: string, out: string[]): void {
  if (SKIPPED.has(node.name)) return;
  const children: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) children.push(c);
  if (children.length === 0) {
    const t = text.slice(node.from, node.to);
    if (STRING_NODES.has(node.name) || NUMBER_NODES.has(node.name) || DURATION_NODES.has(node.name)) out.push(leafToken(node.name, t));
    else out.push(...gapTokens(t));
    return;
  }
  // `sum(x) by (job)` and `sum by (job) (x)` are one query; print the modifier first as Prometheus does.
  let order = children;
  if (node.name === 'AggregateExpr') {
    const mod = children.find((c) => c.name === 'AggregateModifier');
    if (mod) order = [...children.filter((c) => c !== mod && c.name === 'AggregateOp'), mod, ...children.filter((c) => c !== mod && c.name !== 'AggregateOp')];
  }
  if (order === children) {
    let at = node.from;
    for (const c of children) {
      out.push(...gapTokens(text.slice(at, c.from)));
      tokens(c, text, out);
      at = c.to;
    }
    out.push(...gapTokens(text.slice(at, node.to)));
  } else {
    // Reordered children: the punctuation between them belongs to the body (its parentheses are inside FunctionCallBody).
    for (const c of order) tokens(c, text, out);
  }
}

/**
 * A canonical form of a query for equality checks: equal for the same
 * query however it is laid out. A query that does not parse is compared by
 * its text with runs of whitespace collapsed.
 */
export function canonicalExpr(expr: string, lang: QueryLanguage): string {
  const key = `${lang}\0${expr}`;
  const hit = CACHE.get(key);
  if (hit !== undefined) return hit;
  const canon = computeCanonical(expr, lang);
  // Every sync compares every rule twice (ours, the ruler's); rules rarely change, so remember them.
  if (CACHE.size >= CACHE_MAX) CACHE.clear();
  CACHE.set(key, canon);
  return canon;
}

const CACHE_MAX = 100_000;
const CACHE = new Map<string, string>();

function computeCanonical(expr: string, lang: QueryLanguage): string {
  const tree = parse(expr, lang);
  if (firstError(tree) !== undefined) return expr.trim().replace(/\s+/g, ' ');
  const out: string[] = [];
  tokens(tree.topNode, expr, out);
  // `group_left` and `group_left ()` mean the same; Prometheus prints the latter.
  const t: string[] = [];
  for (let i = 0; i < out.length; i++) {
    t.push(out[i]);
    if ((out[i] === 'group_left' || out[i] === 'group_right') && out[i + 1] !== '(') t.push('(', ')');
  }
  return t.join(' ');
}
