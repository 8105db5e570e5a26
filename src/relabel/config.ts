// The Alloy config form of relabel rules, shared by every component that
// takes `rule { ... }` blocks, and the capsule value that carries compiled
// rules between components (discovery.relabel's `rules` export).
import { asCapsule } from '../syntax/capsule.js';
import { t, type BlockSchema } from '../runtime/types.js';
import { ACTIONS, type CompiledRule, compileRule, compileRules, describeRule, type RawRule, RelabelConfigError, type RelabelRule } from './rule.js';

/** Decoded `rule` block: attribute names exactly as in Alloy. */
export interface RuleBlock {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

function toRaw(block: RuleBlock): RawRule {
  if (block === null || typeof block !== 'object') throw new RelabelConfigError('rule must be a block');
  // Alloy (unlike Prometheus's YAML) accepts action names only in lowercase.
  if (block.action !== undefined && !(ACTIONS as readonly string[]).includes(block.action)) {
    throw new RelabelConfigError(`unrecognized action type ${JSON.stringify(block.action)} (want one of ${ACTIONS.join(', ')})`);
  }
  return {
    sourceLabels: block.source_labels,
    separator: block.separator,
    regex: block.regex,
    modulus: block.modulus,
    targetLabel: block.target_label,
    replacement: block.replacement,
    action: block.action,
  };
}

/** Schema of one `rule` block; declare it as `blocks: { rule: { schema: ruleBlockSchema, multiple: true } }`. */
export const ruleBlockSchema: BlockSchema = {
  attrs: {
    source_labels: { type: t.array(t.string()) },
    separator: { type: t.string(), default: ';' },
    regex: { type: t.string(), default: '(.*)' },
    modulus: { type: t.number() },
    target_label: { type: t.string(), default: '' },
    replacement: { type: t.string(), default: '$1' },
    action: { type: t.string(), default: 'replace' },
  },
  // Reject a bad rule at decode time so the error points at the block.
  validate: (decoded: RuleBlock) => {
    compileRule(toRaw(decoded));
  },
};

/** Compiles decoded `rule` blocks (in order); errors name the rule and the reason. */
export function rulesFromConfig(blocks: readonly RuleBlock[] | undefined): CompiledRule[] {
  const list = blocks ?? [];
  return compileRules(
    list.map((b, i) => {
      try {
        return toRaw(b);
      } catch (e) {
        throw new RelabelConfigError(`relabel rule ${i + 1}: ${(e as Error).message}`);
      }
    }),
  );
}

/** Capsule type name of a RuleSet, for `t.capsule(RULES_CAPSULE)` in schemas and exports. */
export const RULES_CAPSULE = 'relabel.Rules';

/**
 * Compiled rules as one opaque value (capsules must be objects, not arrays).
 * Immutable: a new RuleSet is exported whenever the rules change.
 */
export class RuleSet {
  readonly rules: readonly CompiledRule[];

  constructor(rules: readonly CompiledRule[]) {
    this.rules = Object.freeze([...rules]);
    asCapsule(RULES_CAPSULE, this);
  }

  /** Plain description (for debug info and the UI). */
  toJSON(): RelabelRule[] {
    return this.rules.map(describeRule);
  }
}

export function isRuleSet(v: unknown): v is RuleSet {
  return v instanceof RuleSet;
}

/** Rules from a capsule argument; undefined/null means none. */
export function rulesFromCapsule(v: unknown, what = 'rules'): readonly CompiledRule[] {
  if (v === undefined || v === null) return [];
  if (v instanceof RuleSet) return v.rules;
  throw new RelabelConfigError(`${what}: expected relabel rules (e.g. discovery.relabel.<label>.rules)`);
}
