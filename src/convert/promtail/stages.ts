// promtail pipeline_stages -> the stage.* blocks of loki.process that this
// collector has (json, logfmt, labels, static_labels, drop). cri and docker
// are left out on purpose: loki.source.kubernetes reads lines through the API
// server, which sends them without the container runtime's framing.
import { Block, bool, str, strMap } from '../builder.js';
import { goDuration } from '../durations.js';
import { Fields, isMapping, type Raw } from '../fields.js';
import type { Diagnostics } from '../diagnostics.js';

/** Stages of promtail (and Alloy) that have no stage block in this collector. */
const NOT_HERE = [
  'regex', 'replace', 'metrics', 'labeldrop', 'labelallow', 'timestamp', 'output', 'match', 'template', 'tenant',
  'sampling', 'limit', 'multiline', 'pack', 'decolorize', 'eventlogmessage', 'geoip', 'structured_metadata',
];

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
    const f = Fields.of(`${where}.${name}`, st[name], diags);
    const b = convertStage(name, f, where, diags);
    if (b) out.push(b);
  }
  return out;
}

function convertStage(name: string, f: Fields, where: string, diags: Diagnostics): Block | undefined {
  switch (name) {
    case 'json': {
      const b = new Block('stage.json');
      b.attr('expressions', strMap(f.strMap('expressions') ?? {}));
      const source = f.str('source');
      if (source) b.attr('source', str(source));
      if (f.bool('drop_malformed')) b.attr('drop_malformed', bool(true));
      f.finish();
      return b;
    }
    case 'logfmt': {
      const b = new Block('stage.logfmt');
      b.attr('mapping', strMap(f.strMap('mapping') ?? {}));
      const source = f.str('source');
      if (source) b.attr('source', str(source));
      f.finish();
      return b;
    }
    case 'labels':
      return new Block('stage.labels').attr('values', strMap(mapOf(f)));
    case 'static_labels':
      return new Block('stage.static_labels').attr('values', strMap(mapOf(f)));
    case 'drop':
      return convertDrop(f);
    case 'cri':
    case 'docker':
      f.take('max_partial_lines');
      f.take('max_partial_line_size');
      f.take('max_partial_line_size_truncate');
      diags.info(`${where}: the ${name} stage is not converted: loki.source.kubernetes reads log lines through the API server, which sends them without the ${name === 'cri' ? 'CRI' : 'Docker JSON'} framing.`);
      return undefined;
    default:
      if (NOT_HERE.includes(name)) {
        diags.error(`The converter does not support converting the provided pipeline stage: ${name} (${where}: this collector has no stage.${name})`);
      } else {
        diags.error(`The converter does not support converting the provided pipeline stage: ${name} (${where}: not a promtail stage)`);
      }
      return undefined;
  }
}

/** A stage whose config is the map itself (labels, static_labels); `key:` means "the key". */
function mapOf(f: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of f.keys()) {
    const v = f.take(k);
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else f.diags.critical(`${f.where(k)}: expected a string`);
  }
  return out;
}

function convertDrop(f: Fields): Block {
  const b = new Block('stage.drop');
  // promtail takes one source or a list; Alloy's stage.drop a comma-separated string.
  const rawSource = f.peek('source');
  const sources = Array.isArray(rawSource) ? f.strList('source') : [f.str('source')].filter((s): s is string => s !== undefined);
  if (sources && sources.length > 0) b.attr('source', str(sources.join(',')));
  for (const k of ['separator', 'expression', 'value', 'longer_than', 'drop_counter_reason'] as const) {
    const v = f.str(k);
    if (v !== undefined && v !== '') b.attr(k, str(v));
  }
  const olderThan = f.goDuration('older_than');
  if (olderThan !== undefined) b.attr('older_than', str(goDuration(olderThan)));
  f.finish();
  return b;
}
