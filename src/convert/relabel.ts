// Prometheus relabel_configs (also metric_relabel_configs, write_relabel_configs
// and promtail's relabel_configs) as Alloy rule blocks. Each rule is compiled
// with our relabel engine first: a rule Prometheus would refuse is Critical
// here too, so the converted config never fails on it later.
import { compileRule } from '../relabel/index.js';
import { Block, num, str, strArray } from './builder.js';
import type { Fields } from './fields.js';

/** Converts one rule into a block named `blockName` (`rule`, `metric_relabel`, `write_relabel_config`). */
export function relabelBlock(f: Fields, blockName: string): Block | undefined {
  const sourceLabels = f.strList('source_labels');
  const separator = f.str('separator');
  // A YAML regex such as `200` or `true` is text to Prometheus.
  const regex = f.str('regex');
  const modulus = f.uint('modulus');
  const targetLabel = f.str('target_label');
  const replacement = f.str('replacement');
  const action = f.str('action')?.toLowerCase();
  f.finish();
  try {
    compileRule({ sourceLabels, separator, regex, modulus, targetLabel, replacement, action });
  } catch (e) {
    f.diags.critical(`${f.path}: invalid relabel rule: ${(e as Error).message}`);
    return undefined;
  }
  const b = new Block(blockName);
  // Only what was written: the defaults are the same in Prometheus and Alloy.
  b.attr('source_labels', sourceLabels && sourceLabels.length > 0 ? strArray(sourceLabels) : undefined);
  b.attr('separator', separator !== undefined ? str(separator) : undefined);
  b.attr('regex', regex !== undefined ? str(regex) : undefined);
  b.attr('modulus', modulus !== undefined ? num(modulus) : undefined);
  b.attr('target_label', targetLabel !== undefined ? str(targetLabel) : undefined);
  b.attr('replacement', replacement !== undefined ? str(replacement) : undefined);
  b.attr('action', action !== undefined ? str(action) : undefined);
  return b;
}

/** Converts a list of rules; invalid ones are left out (and reported). */
export function relabelBlocks(rules: Fields[], blockName: string): Block[] {
  return rules.map((r) => relabelBlock(r, blockName)).filter((b): b is Block => b !== undefined);
}
