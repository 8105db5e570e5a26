// Relabel rule types and their validation, following Prometheus's
// model/relabel Config.Validate (legacy label-name scheme).
import { RegexSyntaxError, RelabelRegex, Template } from './regex.js';

export const ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;

export type Action = (typeof ACTIONS)[number];

/** A rule with every field filled in (defaults applied). */
export interface RelabelRule {
  sourceLabels: string[];
  separator: string;
  regex: string;
  modulus?: number;
  targetLabel: string;
  replacement: string;
  action: Action;
}

/** A rule as users write it: every field optional, defaults below. */
export interface RawRule {
  sourceLabels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  targetLabel?: string;
  replacement?: string;
  /** Case-insensitive here (as Prometheus's YAML); Alloy config insists on lowercase (see config.ts). */
  action?: string;
}

export const DEFAULT_SEPARATOR = ';';
export const DEFAULT_REGEX = '(.*)';
export const DEFAULT_REPLACEMENT = '$1';
export const DEFAULT_ACTION: Action = 'replace';

/** A validated rule, ready to apply. Immutable; share it freely. */
export interface CompiledRule extends Readonly<Omit<RelabelRule, 'sourceLabels'>> {
  readonly sourceLabels: readonly string[];
  readonly compiledRegex: RelabelRegex;
  /** Set for replace: target label and replacement templates. */
  readonly targetTemplate: Template | undefined;
  readonly replacementTemplate: Template | undefined;
  /** Set for hashmod. */
  readonly modulusBig: bigint | undefined;
}

export class RelabelConfigError extends Error {}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A label name that may contain $1 / ${name} references (Prometheus's relabelTargetLegacy).
const LABEL_NAME_WITH_REFS = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function parseAction(action: string): Action {
  const a = action.toLowerCase();
  if ((ACTIONS as readonly string[]).includes(a)) return a as Action;
  throw new RelabelConfigError(`unknown relabel action ${JSON.stringify(action)} (want one of ${ACTIONS.join(', ')})`);
}

/** Validates and compiles one rule; throws RelabelConfigError naming the problem. */
export function compileRule(raw: RawRule): CompiledRule {
  if (raw === null || typeof raw !== 'object') throw new RelabelConfigError('relabel rule must be an object');
  if (raw.action === '') throw new RelabelConfigError('relabel action cannot be empty');
  const action = parseAction(raw.action ?? DEFAULT_ACTION);
  const sourceLabelsGiven = raw.sourceLabels !== undefined && raw.sourceLabels !== null;
  const sourceLabels = [...(raw.sourceLabels ?? [])];
  for (const l of sourceLabels) {
    if (typeof l !== 'string') throw new RelabelConfigError(`source_labels must be strings, got ${JSON.stringify(l)}`);
  }
  const separator = raw.separator ?? DEFAULT_SEPARATOR;
  const regexSource = raw.regex ?? DEFAULT_REGEX;
  const targetLabel = raw.targetLabel ?? '';
  const replacement = raw.replacement ?? DEFAULT_REPLACEMENT;
  const modulus = raw.modulus ?? 0;
  for (const [field, v] of [
    ['separator', separator],
    ['regex', regexSource],
    ['target_label', targetLabel],
    ['replacement', replacement],
  ] as const) {
    if (typeof v !== 'string') throw new RelabelConfigError(`${field} must be a string, got ${JSON.stringify(v)}`);
  }
  if (typeof modulus !== 'number' || !Number.isSafeInteger(modulus) || modulus < 0) {
    throw new RelabelConfigError(`modulus must be a non-negative integer, got ${JSON.stringify(modulus)}`);
  }

  if (modulus === 0 && action === 'hashmod') {
    throw new RelabelConfigError('relabel configuration for hashmod requires non-zero modulus');
  }
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  if (needsTarget && targetLabel === '') {
    throw new RelabelConfigError(`relabel configuration for ${action} action requires 'target_label' value`);
  }
  const invalidTarget = () => new RelabelConfigError(`${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  if (action === 'replace') {
    const ok = targetLabel.includes('$') ? LABEL_NAME_WITH_REFS.test(targetLabel) : LABEL_NAME.test(targetLabel);
    if (!ok) throw invalidTarget();
  }
  const plainTarget = ['lowercase', 'uppercase', 'keepequal', 'dropequal', 'hashmod'].includes(action);
  if (plainTarget && !LABEL_NAME.test(targetLabel)) throw invalidTarget();
  if (['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && replacement !== DEFAULT_REPLACEMENT) {
    throw new RelabelConfigError(`'replacement' can not be set for ${action} action`);
  }
  if (action === 'labelmap' && !LABEL_NAME_WITH_REFS.test(replacement)) {
    throw new RelabelConfigError(`${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`);
  }
  if (action === 'keepequal' || action === 'dropequal') {
    if (regexSource !== DEFAULT_REGEX || modulus !== 0 || separator !== DEFAULT_SEPARATOR) {
      throw new RelabelConfigError(`${action} action requires only 'source_labels' and 'target_label', and no other fields`);
    }
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    if ((sourceLabelsGiven && sourceLabels.length > 0) || targetLabel !== '' || modulus !== 0 || separator !== DEFAULT_SEPARATOR || replacement !== DEFAULT_REPLACEMENT) {
      throw new RelabelConfigError(`${action} action requires only 'regex', and no other fields`);
    }
  }

  let compiledRegex: RelabelRegex;
  try {
    compiledRegex = new RelabelRegex(regexSource);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw new RelabelConfigError(e.message);
    throw e;
  }
  const templated = action === 'replace' || action === 'labelmap';
  return Object.freeze({
    sourceLabels: Object.freeze(sourceLabels),
    separator,
    regex: regexSource,
    modulus: action === 'hashmod' ? modulus : undefined,
    targetLabel,
    replacement,
    action,
    compiledRegex,
    targetTemplate: action === 'replace' ? new Template(targetLabel, compiledRegex) : undefined,
    replacementTemplate: templated ? new Template(replacement, compiledRegex) : undefined,
    modulusBig: action === 'hashmod' ? BigInt(modulus) : undefined,
  });
}

/** Compiles a list of rules; an error names the rule's position (1-based) and the reason. */
export function compileRules(raw: readonly RawRule[]): CompiledRule[] {
  return raw.map((r, i) => {
    try {
      return compileRule(r);
    } catch (e) {
      if (e instanceof RelabelConfigError) throw new RelabelConfigError(`relabel rule ${i + 1}: ${e.message}`);
      throw e;
    }
  });
}

/** The plain (serialisable) form of a compiled rule, for debug output. */
export function describeRule(rule: CompiledRule): RelabelRule {
  const out: RelabelRule = {
    sourceLabels: [...rule.sourceLabels],
    separator: rule.separator,
    regex: rule.regex,
    targetLabel: rule.targetLabel,
    replacement: rule.replacement,
    action: rule.action,
  };
  if (rule.modulus !== undefined) out.modulus = rule.modulus;
  return out;
}
