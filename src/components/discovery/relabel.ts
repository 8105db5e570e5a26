// discovery.relabel: rewrites, filters and drops targets with relabel rules
// (Prometheus semantics, see ./relabel/). Exports the surviving targets as
// `output` and the compiled rules as `rules` for components that take a
// rule set (e.g. loki.source.kubernetes relabel_rules).
import { recordText } from '../../pipeline/live-text.js';
import { registerComponent } from '../../runtime/registry.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { applyRules, type CompiledRule, describeRule, RULES_CAPSULE, type RuleBlock, ruleBlockSchema, rulesFromConfig, RuleSet } from '../../relabel/index.js';
import { type Target, targetsEqual } from '../../relabel/targets.js';

export interface RelabelArgs {
  targets: Target[];
  rule: RuleBlock[];
}

export interface RelabelExports {
  output: Target[];
  rules: RuleSet;
}

class DiscoveryRelabel implements Component<RelabelArgs> {
  private rules: RuleSet | undefined;
  private rulesKey = '';
  private output: Target[] | undefined;
  private inputCount = 0;

  constructor(private readonly ctx: ComponentContext) {}

  update(args: RelabelArgs): void {
    // Compile first: invalid rules throw before anything changes (the runtime reports the error).
    const compiled = rulesFromConfig(args.rule);
    const key = JSON.stringify(compiled.map(describeRule));
    const rulesChanged = !this.rules || key !== this.rulesKey;
    const rules = rulesChanged ? new RuleSet(compiled) : this.rules!;

    const targets = args.targets ?? [];
    const output = relabelTargets(targets, rules.rules);
    const live = this.ctx.liveDebugging;
    if (live?.active()) {
      // Alloy's form: "<target in> => <target out>" ({} when dropped).
      for (const target of targets) live.publish('target', 1, () => `${recordText(target)} => ${recordText(applyRules(target, rules.rules) ?? {})}`);
    }
    const outputChanged = !this.output || !targetsEqual(this.output, output);

    this.rules = rules;
    this.rulesKey = key;
    this.inputCount = targets.length;
    if (outputChanged) this.output = output;
    if (rulesChanged || outputChanged) this.ctx.setExports({ output: this.output, rules: this.rules });
    this.ctx.setHealth('healthy', `${targets.length} targets in, ${this.output!.length} out`);
  }

  debugInfo() {
    return {
      targets_in: this.inputCount,
      targets_out: this.output?.length ?? 0,
      rules: this.rules?.rules.map(describeRule) ?? [],
    };
  }
}

/** Relabels each target; dropped targets are left out. */
export function relabelTargets(targets: readonly Target[], rules: readonly CompiledRule[]): Target[] {
  const out: Target[] = [];
  for (const target of targets) {
    const r = applyRules(target, rules);
    if (r) out.push(r);
  }
  return out;
}

export const discoveryRelabel: ComponentDefinition<RelabelArgs> = {
  name: 'discovery.relabel',
  labelRequired: true,
  liveDebugging: true,
  args: {
    attrs: { targets: { type: t.targets(), required: true } },
    blocks: { rule: { schema: ruleBlockSchema, multiple: true } },
  },
  exports: { output: t.targets(), rules: t.capsule(RULES_CAPSULE) },
  build: (ctx: ComponentContext) => new DiscoveryRelabel(ctx),
};

registerComponent(discoveryRelabel);
