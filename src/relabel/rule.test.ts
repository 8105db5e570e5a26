// Validation of relabel rules (Prometheus's Config.Validate, legacy names),
// the Go template rules for target labels, and the Alloy `rule` block form.
import { compileRule, compileRules, type RawRule, RelabelConfigError, ruleBlockSchema, rulesFromCapsule, rulesFromConfig, RuleSet } from './index.js';

const invalid: Array<[string, RawRule, string]> = [
  ['empty action', { action: '' }, 'relabel action cannot be empty'],
  ['unknown action', { action: 'explode' }, 'unknown relabel action "explode"'],
  ['replace without target', { action: 'replace' }, "relabel configuration for replace action requires 'target_label' value"],
  ['lowercase without target', { action: 'lowercase' }, "requires 'target_label' value"],
  ['hashmod without modulus', { action: 'hashmod', targetLabel: 'h' }, 'hashmod requires non-zero modulus'],
  ['hashmod with bad target', { action: 'hashmod', targetLabel: '${1}', modulus: 2 }, `"\${1}" is invalid 'target_label' for hashmod action`],
  ['replace into invalid name', { targetLabel: 'utf-8.label' }, `"utf-8.label" is invalid 'target_label' for replace action`],
  ['replace into invalid template', { targetLabel: '-foo${1}bar-' }, "is invalid 'target_label' for replace action"],
  ['replace into "${"', { targetLabel: 'foo${' }, "is invalid 'target_label'"],
  ['lowercase into template (legacy)', { action: 'lowercase', targetLabel: '${3}' }, `"\${3}" is invalid 'target_label' for lowercase action`],
  ['uppercase with replacement', { action: 'uppercase', targetLabel: 'u', replacement: 'x' }, "'replacement' can not be set for uppercase action"],
  ['keepequal with regex', { action: 'keepequal', targetLabel: 't', regex: 'x' }, "keepequal action requires only 'source_labels' and 'target_label'"],
  ['dropequal with separator', { action: 'dropequal', targetLabel: 't', separator: ',' }, "dropequal action requires only 'source_labels' and 'target_label'"],
  ['dropequal with modulus', { action: 'dropequal', targetLabel: 't', modulus: 3 }, 'and no other fields'],
  ['labelmap with bad replacement', { action: 'labelmap', replacement: 'a-b' }, `"a-b" is invalid 'replacement' for labelmap action`],
  ['labeldrop with source labels', { action: 'labeldrop', sourceLabels: ['a'], regex: 'x' }, "labeldrop action requires only 'regex', and no other fields"],
  ['labelkeep with target', { action: 'labelkeep', targetLabel: 'a' }, "labelkeep action requires only 'regex'"],
  ['labeldrop with replacement', { action: 'labeldrop', replacement: 'x' }, "requires only 'regex'"],
  ['negative modulus', { action: 'hashmod', targetLabel: 'h', modulus: -1 }, 'modulus must be a non-negative integer'],
  ['fractional modulus', { action: 'hashmod', targetLabel: 'h', modulus: 1.5 }, 'modulus must be a non-negative integer'],
  ['unbalanced regex', { targetLabel: 't', regex: 'a(' }, 'invalid regex "a(": error parsing regexp: missing closing ): `a(`'],
  ['bad range', { targetLabel: 't', regex: '[z-a]' }, 'invalid regex "[z-a]": error parsing regexp: invalid character class range'],
  ['lookahead is not RE2', { targetLabel: 't', regex: 'a(?=b)' }, 'invalid regex "a(?=b)"'],
  ['backreference is not RE2', { targetLabel: 't', regex: '(a)\\1' }, 'invalid regex'],
  ['huge repeat', { targetLabel: 't', regex: 'x{1001}' }, 'invalid repeat count'],
];

const valid: Array<[string, RawRule]> = [
  ['defaults with target', { targetLabel: 'a' }],
  ['templated target ${1}', { targetLabel: '${1}', regex: '(.*)' }],
  ['templated target label${1}', { targetLabel: 'label${1}' }],
  ['templated target $1', { targetLabel: '$1' }],
  ['templated target asd$2asd', { targetLabel: 'asd$2asd' }],
  ['templated target _${1}_', { targetLabel: '_${1}_' }],
  ['templated target foo${bar}foo', { targetLabel: 'foo${bar}foo' }],
  ['labelmap $1', { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(strimzi_io_.+)', replacement: '$1' }],
  ['labelmap ${1}', { action: 'labelmap', regex: '__meta_(.+)', replacement: '${1}' }],
  ['uppercase action name (Prometheus YAML is case-insensitive)', { action: 'Keep', sourceLabels: ['a'] }],
  ['keepequal minimal', { action: 'keepequal', sourceLabels: ['a'], targetLabel: 'b' }],
  ['labeldrop minimal', { action: 'labeldrop', regex: 'tmp_.*' }],
  ['regex "" (matches empty)', { targetLabel: 't', regex: '' }],
];

describe('relabel rule validation', () => {
  test.each(invalid)('%s is rejected', (_name, raw, message) => {
    expect(() => compileRule(raw)).toThrow(RelabelConfigError);
    expect(() => compileRule(raw)).toThrow(message);
  });

  test.each(valid)('%s is accepted', (_name, raw) => {
    const r = compileRule(raw);
    expect(r.action).toBe((raw.action ?? 'replace').toLowerCase());
  });

  test('defaults are Prometheus defaults', () => {
    const r = compileRule({ targetLabel: 'x' });
    expect([r.separator, r.regex, r.replacement, r.action]).toEqual([';', '(.*)', '$1', 'replace']);
    expect(r.sourceLabels).toEqual([]);
  });

  test('compileRules names the failing rule by position', () => {
    expect(() => compileRules([{ targetLabel: 'ok' }, { targetLabel: 'ok' }, { action: 'hashmod', targetLabel: 'h' }])).toThrow(/^relabel rule 3: .*non-zero modulus/);
  });
});

describe('Alloy rule blocks', () => {
  const defaults = { separator: ';', regex: '(.*)', target_label: '', replacement: '$1', action: 'replace' };

  test('schema declares every Alloy attribute with Prometheus defaults', () => {
    const attrs = ruleBlockSchema.attrs!;
    expect(Object.keys(attrs).sort()).toEqual(['action', 'modulus', 'regex', 'replacement', 'separator', 'source_labels', 'target_label']);
    expect(attrs.separator!.default).toBe(';');
    expect(attrs.regex!.default).toBe('(.*)');
    expect(attrs.replacement!.default).toBe('$1');
    expect(attrs.action!.default).toBe('replace');
  });

  test('schema validate rejects a bad block and accepts a good one', () => {
    expect(() => ruleBlockSchema.validate!({ ...defaults, action: 'hashmod', target_label: 'h' })).toThrow('non-zero modulus');
    expect(() => ruleBlockSchema.validate!({ ...defaults, source_labels: ['a'], regex: 'x', action: 'keep' })).not.toThrow();
  });

  test('Alloy action names are lowercase only', () => {
    expect(() => rulesFromConfig([{ ...defaults, action: 'Keep' }])).toThrow('relabel rule 1: unrecognized action type "Keep"');
  });

  test('rulesFromConfig maps snake_case blocks, with or without defaults filled in', () => {
    const rules = rulesFromConfig([
      { source_labels: ['a'], regex: 'x', action: 'keep' },
      { ...defaults, source_labels: ['b'], target_label: 'c' },
      { action: 'hashmod', source_labels: ['a'], target_label: 'h', modulus: 4 },
    ]);
    expect(rules.map((r) => r.action)).toEqual(['keep', 'replace', 'hashmod']);
    expect(rules[1]!.targetLabel).toBe('c');
    expect(rules[2]!.modulus).toBe(4);
    expect(rulesFromConfig(undefined)).toEqual([]);
  });

  test('RuleSet capsule carries compiled rules and describes them as plain data', () => {
    const set = new RuleSet(rulesFromConfig([{ source_labels: ['a'], regex: 'x', action: 'drop' }]));
    expect(rulesFromCapsule(set)).toBe(set.rules);
    expect(rulesFromCapsule(undefined)).toEqual([]);
    expect(() => rulesFromCapsule({}, 'relabel_rules')).toThrow('relabel_rules: expected relabel rules');
    expect(JSON.parse(JSON.stringify(set))).toEqual([{ sourceLabels: ['a'], separator: ';', regex: 'x', targetLabel: '', replacement: '$1', action: 'drop' }]);
  });
});
