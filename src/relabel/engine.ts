// Applies compiled relabel rules to a label set, with Prometheus's semantics
// (model/relabel relabel()): rules run in order, the first drop ends it.
import type { LabelPairs } from '../pipeline/metrics.js';
import { type LabelBuilder, PairsBuilder, RecordBuilder } from './builder.js';
import { hashmod } from './hashmod.js';
import { type CompiledRule, isValidLabelName } from './rule.js';

/** Runs the rules over a builder; false when a rule dropped the label set. */
export function processRules(lb: LabelBuilder, rules: readonly CompiledRule[]): boolean {
  for (let i = 0; i < rules.length; i++) {
    if (!applyRule(lb, rules[i]!)) return false;
  }
  return true;
}

/** Relabels a target. Returns null when dropped; the input object itself when nothing changed. */
export function applyRules(labels: Record<string, string>, rules: readonly CompiledRule[]): Record<string, string> | null {
  const lb = new RecordBuilder(labels);
  return processRules(lb, rules) ? lb.result() : null;
}

/**
 * Relabels sorted label pairs (the metrics hot path). Returns null when
 * dropped; the input array itself when nothing changed, else new sorted pairs.
 */
export function applyRulesToPairs(labels: LabelPairs, rules: readonly CompiledRule[]): LabelPairs | null {
  if (rules.length === 0) return labels;
  const lb = new PairsBuilder(labels);
  return processRules(lb, rules) ? lb.result() : null;
}

function sourceValue(lb: LabelBuilder, rule: CompiledRule): string {
  const src = rule.sourceLabels;
  if (src.length === 1) return lb.get(src[0]!);
  if (src.length === 0) return '';
  let val = lb.get(src[0]!);
  for (let i = 1; i < src.length; i++) val += rule.separator + lb.get(src[i]!);
  return val;
}

function applyRule(lb: LabelBuilder, rule: CompiledRule): boolean {
  switch (rule.action) {
    case 'drop':
      return !rule.compiledRegex.matches(sourceValue(lb, rule));
    case 'keep':
      return rule.compiledRegex.matches(sourceValue(lb, rule));
    case 'dropequal':
      return lb.get(rule.targetLabel) !== sourceValue(lb, rule);
    case 'keepequal':
      return lb.get(rule.targetLabel) === sourceValue(lb, rule);
    case 'replace': {
      const groups = rule.compiledRegex.match(sourceValue(lb, rule));
      if (!groups) return true; // no match, no change
      const target = rule.targetTemplate!.isConstant ? rule.targetLabel : rule.targetTemplate!.expand(groups);
      if (!isValidLabelName(target)) return true;
      const value = rule.replacementTemplate!.expand(groups);
      if (value === '') lb.del(target);
      else lb.set(target, value);
      return true;
    }
    case 'lowercase':
      lb.set(rule.targetLabel, sourceValue(lb, rule).toLowerCase());
      return true;
    case 'uppercase':
      lb.set(rule.targetLabel, sourceValue(lb, rule).toUpperCase());
      return true;
    case 'hashmod':
      lb.set(rule.targetLabel, hashmod(sourceValue(lb, rule), rule.modulusBig!).toString());
      return true;
    case 'labelmap':
      lb.range((name, value) => {
        const groups = rule.compiledRegex.match(name);
        if (!groups) return;
        const target = rule.replacementTemplate!.expand(groups);
        // Prometheus would write any name here; an invalid one (e.g. '') only fails later, so skip it.
        if (isValidLabelName(target)) lb.set(target, value);
      });
      return true;
    case 'labeldrop':
      lb.range((name) => {
        if (rule.compiledRegex.matches(name)) lb.del(name);
      });
      return true;
    case 'labelkeep':
      lb.range((name) => {
        if (!rule.compiledRegex.matches(name)) lb.del(name);
      });
      return true;
  }
}
