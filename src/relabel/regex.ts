// Relabel regexes: Go RE2 syntax, fully anchored as Prometheus does
// (`^(?s:<regex>)$`), matched with re2js so user patterns stay linear-time and
// behave like Go's (no lookbehind, no backtracking surprises).
//
// Relabeling sits on the metrics hot path, so the wrapper short-cuts the
// shapes that dominate real configs ("(.*)", ".*", "(.+)", literals, literal
// alternations) and remembers recent results of the general case.
import { RE2JS } from 're2js';

/** Groups of one match: index 0 is the whole input, then each capturing group ('' when it did not take part). */
export type MatchGroups = readonly string[];

const META = /[\\.+*?()|[\]{}^$]/;
const CACHE_LIMIT = 1024;

export class RegexSyntaxError extends Error {}

type Kind = 'any' | 'anyGroup' | 'nonEmptyGroup' | 'literal' | 'literalSet' | 'general';

export class RelabelRegex {
  /** The regex as the user wrote it (without the anchors). */
  readonly source: string;
  /** Number of capturing groups. */
  readonly groupCount: number;
  /** Capturing group names to their index. */
  readonly names: ReadonlyMap<string, number>;
  private readonly kind: Kind;
  private readonly literals: ReadonlySet<string> | undefined;
  private readonly re: RE2JS | undefined;
  private readonly testCache = new Map<string, boolean>();
  private readonly matchCache = new Map<string, MatchGroups | null>();

  constructor(source: string) {
    this.source = source;
    let re: RE2JS;
    try {
      re = RE2JS.compile(`^(?s:${source})$`);
    } catch (e) {
      // Always compile, even for the fast paths, so syntax errors are RE2's and never silently accepted.
      // RE2's message quotes the anchored form we compiled; users wrote `source`.
      const reason = (e as Error).message.split(`^(?s:${source})$`).join(source);
      throw new RegexSyntaxError(`invalid regex ${JSON.stringify(source)}: ${reason}`);
    }
    this.groupCount = re.groupCount();
    this.names = new Map(Object.entries(re.namedGroups()));
    if (source === '.*') this.kind = 'any';
    else if (source === '(.*)') this.kind = 'anyGroup';
    else if (source === '(.+)') this.kind = 'nonEmptyGroup';
    else if (!META.test(source)) {
      this.kind = 'literal';
      this.literals = new Set([source]);
    } else if (isLiteralAlternation(source)) {
      this.kind = 'literalSet';
      this.literals = new Set(source.split('|'));
    } else {
      this.kind = 'general';
      this.re = re;
    }
  }

  /** Whether the whole input matches. */
  matches(input: string): boolean {
    switch (this.kind) {
      case 'any':
      case 'anyGroup':
        return true;
      case 'nonEmptyGroup':
        return input !== '';
      case 'literal':
      case 'literalSet':
        return this.literals!.has(input);
      case 'general': {
        const cached = this.testCache.get(input);
        if (cached !== undefined) return cached;
        const ok = this.re!.testExact(input);
        remember(this.testCache, input, ok);
        return ok;
      }
    }
  }

  /** The groups of a whole-input match, or null when the input does not match. */
  match(input: string): MatchGroups | null {
    switch (this.kind) {
      case 'any':
        return [input];
      case 'anyGroup':
        return [input, input];
      case 'nonEmptyGroup':
        return input === '' ? null : [input, input];
      case 'literal':
      case 'literalSet':
        return this.literals!.has(input) ? [input] : null;
      case 'general': {
        const cached = this.matchCache.get(input);
        if (cached !== undefined) return cached;
        const m = this.re!.matcher(input);
        let groups: string[] | null = null;
        if (m.matches()) {
          groups = new Array<string>(this.groupCount + 1);
          for (let i = 0; i <= this.groupCount; i++) groups[i] = m.group(i) ?? '';
        }
        remember(this.matchCache, input, groups);
        return groups;
      }
    }
  }
}

function isLiteralAlternation(source: string): boolean {
  // "a|b|c" with no other metacharacter: every branch is a plain string.
  if (!source.includes('|')) return false;
  return !/[\\.+*?()[\]{}^$]/.test(source);
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  // Bounded: when full, start over (cheap, and hot values come straight back).
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/**
 * A replacement or target-label template with Go's `Regexp.Expand` semantics,
 * resolved against one regex: `$1`, `${1}`, `$name`, `${name}`, `$$` for a
 * literal dollar; a name is the longest run of letters, digits and '_' (so
 * `$1x` names the group "1x"); unknown groups expand to ''; a malformed
 * reference leaves the '$' as text.
 */
export class Template {
  readonly source: string;
  /** Literal text (string) or group index (number, -1 = no such group). */
  private readonly parts: ReadonlyArray<string | number>;
  readonly isConstant: boolean;

  constructor(source: string, regex: RelabelRegex) {
    this.source = source;
    this.parts = parseTemplate(source, regex);
    this.isConstant = this.parts.every((p) => typeof p === 'string');
  }

  expand(groups: MatchGroups): string {
    const parts = this.parts;
    if (parts.length === 1 && typeof parts[0] === 'number') return parts[0] >= 0 ? (groups[parts[0]] ?? '') : '';
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (p >= 0) out += groups[p] ?? '';
    }
    return out;
  }
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

function parseTemplate(tpl: string, regex: RelabelRegex): Array<string | number> {
  const parts: Array<string | number> = [];
  let text = '';
  let i = 0;
  while (i < tpl.length) {
    const dollar = tpl.indexOf('$', i);
    if (dollar < 0) {
      text += tpl.slice(i);
      break;
    }
    text += tpl.slice(i, dollar);
    i = dollar + 1;
    if (tpl[i] === '$') {
      text += '$';
      i++;
      continue;
    }
    const ref = extractRef(tpl, i);
    if (!ref) {
      text += '$';
      continue;
    }
    if (text) parts.push(text);
    text = '';
    parts.push(resolveGroup(ref.name, regex));
    i = ref.end;
  }
  if (text || parts.length === 0) parts.push(text);
  return parts;
}

function extractRef(tpl: string, start: number): { name: string; end: number } | undefined {
  let i = start;
  const brace = tpl[i] === '{';
  if (brace) i++;
  const nameStart = i;
  while (i < tpl.length) {
    const cp = tpl.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === nameStart) return undefined;
  const name = tpl.slice(nameStart, i);
  if (brace) {
    if (tpl[i] !== '}') return undefined;
    i++;
  }
  return { name, end: i };
}

function resolveGroup(name: string, regex: RelabelRegex): number {
  // Go reads a name of ASCII digits without a leading zero as a group number.
  if (/^[0-9]+$/.test(name) && (name.length === 1 || name[0] !== '0') && name.length <= 9) {
    const n = Number(name);
    return n <= regex.groupCount ? n : -1;
  }
  return regex.names.get(name) ?? -1;
}
