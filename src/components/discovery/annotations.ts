// discovery.annotations: annotation-driven auto-scrape. Takes pod or service
// targets from discovery.kubernetes and exports scrape-ready targets for the
// pods and services that asked to be scraped (see ./rules.ts and
// docs/components/discovery.annotations.md).
import { registerComponent } from '../../runtime/registry.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { type Target, targetsEqual } from '../../relabel/targets.js';
import { CONVENTIONS, parseConventions } from '../../discovery/annotations/conventions.js';
import { annotateTargets, type SkipReason } from '../../discovery/annotations/rules.js';

export interface AnnotationsArgs {
  targets: Target[];
  conventions: string[];
  scrape_by_default: boolean;
}

class DiscoveryAnnotations implements Component<AnnotationsArgs> {
  private output: Target[] | undefined;
  private inputCount = 0;
  private skipped: Partial<Record<SkipReason, number>> = {};

  constructor(private readonly ctx: ComponentContext) {}

  update(args: AnnotationsArgs): void {
    const conventions = parseConventions(args.conventions ?? [...CONVENTIONS]);
    const targets = args.targets ?? [];
    const result = annotateTargets(targets, { conventions, scrapeByDefault: args.scrape_by_default ?? false });
    this.inputCount = targets.length;
    this.skipped = result.skipped;
    if (!this.output || !targetsEqual(this.output, result.targets)) {
      this.output = result.targets;
      this.ctx.setExports({ output: this.output });
    }
    this.ctx.setHealth('healthy', `${targets.length} targets in, ${this.output.length} to scrape`);
  }

  debugInfo() {
    return { targets_in: this.inputCount, targets_out: this.output?.length ?? 0, skipped: this.skipped };
  }
}

export const discoveryAnnotations: ComponentDefinition<AnnotationsArgs> = {
  name: 'discovery.annotations',
  labelRequired: true,
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
      conventions: { type: t.array(t.string()), default: ['prometheus.io', 'k8s.grafana.com'] },
      scrape_by_default: { type: t.bool(), default: false },
    },
    validate: (decoded: AnnotationsArgs) => {
      parseConventions(decoded.conventions);
    },
  },
  exports: { output: t.targets() },
  build: (ctx: ComponentContext) => new DiscoveryAnnotations(ctx),
};

registerComponent(discoveryAnnotations);
