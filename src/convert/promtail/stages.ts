// promtail pipeline_stages -> the stage.* blocks of loki.process, with the
// argument mapping of Alloy's converter (one converter per stage in
// ./stages/). Every stage promtail has (clients/pkg/logentry/stages) is
// converted; a name promtail does not know is an Error, as in Alloy.
import type { Block } from '../builder.js';
import { Diagnostics } from '../diagnostics.js';
import { isMapping, type Raw } from '../fields.js';
import { convertDrop, convertLimit, convertMatch, convertMultiline, convertSampling, convertTimestamp } from './stages/control.js';
import {
  convertLabelAllow, convertLabelDrop, convertLabels, convertNonIndexedLabels, convertPack, convertStaticLabels, convertStructuredMetadata, convertTenant,
} from './stages/labels.js';
import { convertMetrics } from './stages/metrics.js';
import {
  convertCri, convertDecolorize, convertDocker, convertEventLogMessage, convertGeoip, convertJson, convertLogfmt, convertOutput, convertRegex,
  convertReplace, convertTemplate,
} from './stages/parse.js';
import type { StageConverter } from './stages/types.js';

/** promtail's stage names -> their converter. */
const CONVERTERS: Record<string, StageConverter> = {
  json: convertJson,
  logfmt: convertLogfmt,
  regex: convertRegex,
  replace: convertReplace,
  metrics: convertMetrics,
  labels: convertLabels,
  labeldrop: convertLabelDrop,
  labelallow: convertLabelAllow,
  static_labels: convertStaticLabels,
  structured_metadata: convertStructuredMetadata,
  non_indexed_labels: convertNonIndexedLabels,
  timestamp: convertTimestamp,
  output: convertOutput,
  docker: convertDocker,
  cri: convertCri,
  match: convertMatch,
  template: convertTemplate,
  tenant: convertTenant,
  drop: convertDrop,
  sampling: convertSampling,
  limit: convertLimit,
  multiline: convertMultiline,
  pack: convertPack,
  decolorize: convertDecolorize,
  eventlogmessage: convertEventLogMessage,
  geoip: convertGeoip,
};

/** loki.process stages with no promtail counterpart, named when a promtail config uses them by their Alloy name. */
const ALLOY_ONLY: Record<string, string> = {
  pattern: 'stage.pattern', luhn: 'stage.luhn', truncate: 'stage.truncate', split_json: 'stage.split_json', windowsevent: 'stage.windowsevent',
  label_drop: 'stage.label_drop (promtail: labeldrop)', label_keep: 'stage.label_keep (promtail: labelallow)', structured_metadata_drop: 'stage.structured_metadata_drop',
};

export function convertStages(path: string, raw: Raw[], diags: Diagnostics): Block[] {
  const out: Block[] = [];
  for (const [i, st] of raw.entries()) {
    const where = `${path}[${i}]`;
    if (!isMapping(st)) {
      diags.critical(`${where}: invalid input YAML config, make sure each stage of your pipeline is a YAML object (must end with a \`:\`), check stage \`- ${String(st)}\``);
      continue;
    }
    const names = Object.keys(st);
    if (names.length !== 1) {
      diags.critical(`${where}: each pipeline stage must contain exactly one key, got: ${names.join(', ')}`);
      continue;
    }
    const name = names[0];
    const convert = CONVERTERS[name];
    if (!convert) {
      const why = ALLOY_ONLY[name] ? `promtail has no ${name} stage; in Alloy it is ${ALLOY_ONLY[name]}, to be written by hand` : 'not a promtail stage';
      diags.error(`The converter does not support converting the provided pipeline stage: ${name} (${where}: ${why})`);
      continue;
    }
    const b = convertOne(convert, `${where}.${name}`, st[name], diags);
    if (b) out.push(b);
  }
  return out;
}

/**
 * Runs one stage's converter. A stage whose config cannot be read (a value
 * of the wrong type, a bad size or duration) is left out with an Error, as
 * Alloy's converter does ("invalid pipeline stage config"), so
 * --bypass-errors still writes the rest of the pipeline.
 */
function convertOne(convert: StageConverter, where: string, raw: Raw, diags: Diagnostics): Block | undefined {
  const local = new Diagnostics();
  const b = convert({ where, raw, diags: local, nested: (p, r) => convertStages(p, r, local) });
  let invalid = false;
  for (const d of local.list) {
    if (d.severity === 'Critical') invalid = true;
    diags.add(d.severity === 'Critical' ? 'Error' : d.severity, d.severity === 'Critical' ? `invalid pipeline stage config: ${d.summary}` : d.summary, d.detail);
  }
  return invalid ? undefined : b;
}
