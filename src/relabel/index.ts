// Public face of the relabel engine: import from here.
export { applyRules, applyRulesToPairs, processRules } from './engine.js';
export { type LabelBuilder, PairsBuilder, RecordBuilder } from './builder.js';
export {
  ACTIONS,
  type Action,
  type CompiledRule,
  compileRule,
  compileRules,
  describeRule,
  isValidLabelName,
  type RawRule,
  RelabelConfigError,
  type RelabelRule,
} from './rule.js';
export { isRuleSet, RULES_CAPSULE, type RuleBlock, ruleBlockSchema, rulesFromCapsule, rulesFromConfig, RuleSet } from './config.js';
export { hashmod } from './hashmod.js';
export { RelabelCache } from './cache.js';
export { RelabelRegex, Template } from './regex.js';
