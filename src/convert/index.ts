// `alloy convert`: a Prometheus or promtail config -> an Alloy config for the
// components this collector ships, with Alloy's diagnostics (see
// diagnostics.ts). The output goes through our formatter, so `alloy fmt`
// leaves it unchanged.
import { type Block, renderFile } from './builder.js';
import { Diagnostics } from './diagnostics.js';
import { convertPrometheus } from './prometheus/index.js';
import { convertPromtail } from './promtail/index.js';
import { convertOtelcol } from './otelcol/index.js';

export const SOURCE_FORMATS = ['prometheus', 'promtail', 'otelcol'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export interface ConvertResult {
  /** The Alloy config; undefined when a critical issue stopped the conversion. */
  output: string | undefined;
  diagnostics: Diagnostics;
}

export function convert(source: string, format: SourceFormat): ConvertResult {
  const diags = new Diagnostics();
  const blocks =
    format === 'prometheus' ? convertPrometheus(source, diags) : format === 'otelcol' ? convertOtelcol(source, diags) : convertPromtail(source, diags);
  checkUniqueIds(blocks, diags);
  if (diags.has('Critical')) return { output: undefined, diagnostics: diags };
  try {
    return { output: renderFile(blocks), diagnostics: diags };
  } catch (e) {
    diags.critical(`failed to render Alloy config: ${(e as Error).message}`);
    return { output: undefined, diagnostics: diags };
  }
}

/** Two sources that sanitize to one label would give one component id twice (Alloy's check). */
function checkUniqueIds(blocks: Block[], diags: Diagnostics): void {
  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(b.id)) {
      diags.critical(
        `duplicate label after conversion ${JSON.stringify(b.id)}. this is due to how valid Alloy labels are assembled and can be avoided by updating named properties in the source config.`,
      );
    }
    seen.add(b.id);
  }
}
