// json_path(json, path): the values a JSONPath expression selects, always as
// a list. Alloy uses ojg's jp, where a path need not start with "$": ".a",
// "[0]" and "a.b" are read from the document root. jsonpath-plus evaluates
// filter expressions with its own safe interpreter (no JavaScript eval).
import { JSONPath } from 'jsonpath-plus';
import type { Value } from './value.js';

/** The ojg spelling of a path made absolute for jsonpath-plus. */
function rooted(path: string): string {
  if (path.startsWith('$')) return path;
  if (path.startsWith('@')) return '$' + path.slice(1);
  if (path.startsWith('.') || path.startsWith('[')) return '$' + path;
  return path === '' ? '$' : '$.' + path;
}

export function jsonPath(json: string, path: string): Value[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`invalid JSON: ${(e as Error).message}`);
  }
  const absolute = rooted(path);
  if (absolute === '$') return [doc as Value]; // the whole document, null included
  let found: unknown;
  try {
    found = JSONPath({ path: absolute, json: doc as object, wrap: true, eval: 'safe' });
  } catch (e) {
    throw new Error(`invalid JSONPath ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  return Array.isArray(found) ? (found as Value[]) : [];
}
