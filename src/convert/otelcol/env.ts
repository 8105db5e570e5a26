// Environment references of a Collector config -> Alloy expressions. The
// Collector expands `${env:NAME}`, `${NAME}` (env is its default scheme) and
// `${env:NAME:-default}` in any string value, and reads `$$` as a literal `$`.
// A value that is one reference becomes `coalesce(sys.env("NAME"), "default")`,
// as Alloy's converter writes it; a reference inside a longer string becomes
// the same call joined to the literal parts with `+` (Alloy's converter leaves
// those as text). A scheme other than env (file:, http:, ...) is Critical, as in
// Alloy, since the converter cannot know the value.
import { quote } from '../../syntax/strings.js';
import { type Value, expr, str } from '../builder.js';

export type Part = { text: string } | { env: string; default: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/s;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EnvRefError extends Error {}

/** Splits a string into literal text and environment references; throws EnvRefError on a reference it cannot convert. */
export function parseEnvRefs(s: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '$' && s[i + 1] === '$') {
      text += '$';
      i += 2;
      continue;
    }
    if (s[i] === '$' && s[i + 1] === '{') {
      // The reference ends at the brace that closes it (a default may hold balanced braces).
      let depth = 1;
      let j = i + 2;
      for (; j < s.length && depth > 0; j++) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}') depth--;
      }
      if (depth > 0) {
        text += s.slice(i);
        break;
      }
      const body = s.slice(i + 2, j - 1);
      let name = body;
      let def = '';
      const m = SCHEME.exec(body);
      if (m && !(ENV_NAME.test(m[1]) && m[2].startsWith('-'))) {
        if (m[1] !== 'env') throw new EnvRefError(`scheme ${JSON.stringify(m[1])} is not supported for uri ${JSON.stringify(body)}`);
        name = m[2];
      }
      const d = name.indexOf(':-');
      if (d >= 0) {
        def = name.slice(d + 2);
        name = name.slice(0, d);
      }
      if (!ENV_NAME.test(name)) throw new EnvRefError(`environment variable ${JSON.stringify(name)} has invalid name: must match regex ${ENV_NAME.source}`);
      if (text) parts.push({ text });
      text = '';
      parts.push({ env: name, default: def });
      i = j;
      continue;
    }
    text += s[i];
    i++;
  }
  if (text || parts.length === 0) parts.push({ text });
  return parts;
}

/** Whether a string holds an environment reference (`$${...}` is an escaped literal, not one). */
export function hasEnvRef(s: string): boolean {
  try {
    return parseEnvRefs(s).some((p) => 'env' in p);
  } catch {
    return true;
  }
}

/** A string value of the config as an Alloy value: a literal, or an expression when it holds references. */
export function envValue(s: string): Value {
  const parts = parseEnvRefs(s);
  if (parts.every((p) => 'text' in p)) return str(parts.map((p) => (p as { text: string }).text).join(''));
  return expr(parts.map((p) => ('env' in p ? `coalesce(sys.env(${quote(p.env)}), ${quote(p.default)})` : quote(p.text))).join(' + '));
}

/** Every reference in a parsed YAML document that cannot be converted, with where it is. */
export function badEnvRefs(doc: unknown, path = ''): string[] {
  if (typeof doc === 'string') {
    try {
      parseEnvRefs(doc);
      return [];
    } catch (e) {
      return [`${path || 'value'}: ${(e as Error).message}`];
    }
  }
  if (Array.isArray(doc)) return doc.flatMap((v, i) => badEnvRefs(v, `${path}[${i}]`));
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => badEnvRefs(v, path ? `${path}.${k}` : k));
  return [];
}
