// The scrape limits the charts ship (values scrapeLimits): rendered into the
// generated prometheus.scrape (and the operator components' default sample
// limit), decoded with the component's own schema into the scrape job the
// collector would run, and overridable (another value, or 0/"" for none).
import '../../src/components/index.js';
import { buildScrapeArgsJob } from '../../src/scrape/args.js';
import type { ScrapeArgs } from '../../src/scrape/args.js';
import type { ScrapeLimits } from '../../src/scrape/job.js';
import { decodeBlock } from '../../src/runtime/decode.js';
import { planGraph } from '../../src/runtime/graph.js';
import { zeroExportScope } from '../../src/runtime/zero-scope.js';
import { parse } from '../../src/syntax/parser.js';
import { checkRender } from './checks.js';
import { configOf, renderObjects, type RenderOptions } from './render.js';

/** The arguments of the scrape components of a rendered chart's config, by component id (checkRender validates them all). */
function decodedArgs(chart: string, opts: RenderOptions = {}): Map<string, Record<string, any>> {
  const objs = renderObjects(chart, { namespace: 'alloy', ...opts });
  checkRender(objs, 'alloy');
  const plan = planGraph(parse(configOf(objs), 'config.alloy'));
  const scope = zeroExportScope(plan.nodes);
  const scrapers = plan.nodes.filter((p) => p.name === 'prometheus.scrape' || p.name.startsWith('prometheus.operator.'));
  return new Map(scrapers.map((p) => [p.id, decodeBlock(p.block.body, p.def.args, scope, p.block.pos)]));
}

function annotationLimits(chart: string, opts: RenderOptions = {}): ScrapeLimits {
  const a = decodedArgs(chart, opts).get('prometheus.scrape.annotations');
  expect(a).toBeDefined();
  return buildScrapeArgsJob(a as ScrapeArgs, 'annotations').limits;
}

const SHIPPED: ScrapeLimits = {
  bodySizeBytes: 32 * 1024 * 1024,
  sample: 100_000,
  target: 0,
  label: 64,
  labelNameLength: 256,
  labelValueLength: 4096,
};

describe.each(['alloy', 'alloy-annotations'])('charts/%s scrape limits', (chart) => {
  const key = chart === 'alloy' ? 'scrapeLimits' : 'alloy.scrapeLimits';

  test('the defaults render into prometheus.scrape and reach the scrape job', () => {
    expect(annotationLimits(chart)).toEqual(SHIPPED);
  });

  test('each can be overridden, large values intact', () => {
    const limits = annotationLimits(chart, {
      set: [`${key}.bodySizeLimit=100MB`, `${key}.sampleLimit=2000000`, `${key}.labelLimit=30`, `${key}.labelNameLengthLimit=100`, `${key}.labelValueLengthLimit=1000`],
    });
    expect(limits).toEqual({ bodySizeBytes: 100 * 1024 * 1024, sample: 2_000_000, target: 0, label: 30, labelNameLength: 100, labelValueLength: 1000 });
  });

  test('0 or "" leaves a limit out (Alloy default: none)', () => {
    const limits = annotationLimits(chart, { set: [`${key}.bodySizeLimit=`, `${key}.sampleLimit=0`, `${key}.labelLimit=0`] });
    expect(limits).toEqual({ ...SHIPPED, bodySizeBytes: 0, sample: 0, label: 0 });
  });

  test('the operator components get sampleLimit as scrape.default_sample_limit', () => {
    const on = [`${chart === 'alloy' ? '' : 'alloy.'}features.serviceMonitors.enabled=true`, `${chart === 'alloy' ? '' : 'alloy.'}features.podMonitors.enabled=true`];
    const args = decodedArgs(chart, { set: on });
    for (const id of ['prometheus.operator.servicemonitors.default', 'prometheus.operator.podmonitors.default']) {
      expect({ id, limit: args.get(id)?.scrape?.default_sample_limit }).toEqual({ id, limit: 100_000 });
    }
    const overridden = decodedArgs(chart, { set: [...on, `${key}.sampleLimit=5000`] });
    expect(overridden.get('prometheus.operator.servicemonitors.default')?.scrape?.default_sample_limit).toBe(5000);
    const none = decodedArgs(chart, { set: [...on, `${key}.sampleLimit=0`] });
    expect(none.get('prometheus.operator.podmonitors.default')?.scrape).toBeUndefined();
  });
});
