// promtail's stages that filter, time or group entries -> loki.process:
// drop, sampling, limit, multiline, timestamp, and match (whose nested
// stages are converted like the top-level ones, to any depth).
import { Block, num, str } from '../../builder.js';
import { formatBase2Bytes, parsePromtailBytes } from './bytes.js';
import { optBool, optDuration, optList, optNum, optStr, numberField } from './emit.js';
import { fieldsOf, type StageInput } from './types.js';

export function convertDrop(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.drop');
  optStr(b, 'drop_counter_reason', f.str('drop_counter_reason'));
  // promtail takes one source or a list; Alloy's stage.drop a comma-separated string.
  const sources = Array.isArray(f.peek('source')) ? f.strList('source') : [f.str('source')].filter((s): s is string => s !== undefined);
  if (sources && sources.length > 0) b.attr('source', str(sources.join(',')));
  for (const k of ['value', 'separator', 'expression'] as const) optStr(b, k, f.str(k));
  optDuration(b, 'older_than', f.goDuration('older_than'));
  const longer = f.str('longer_than');
  if (longer !== undefined && longer !== '') {
    try {
      const bytes = parsePromtailBytes(longer);
      if (bytes > 0) b.attr('longer_than', str(formatBase2Bytes(bytes)));
    } catch (e) {
      input.diags.critical(`${f.where('longer_than')}: ${(e as Error).message}`);
    }
  }
  f.finish();
  return b;
}

/** promtail's rate is the share kept (0 to 1); Alloy's default drop_counter_reason is "sampling_stage". */
export function convertSampling(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.sampling');
  // Alloy writes drop_counter_reason first.
  const reason = f.str('drop_counter_reason');
  optStr(b, 'drop_counter_reason', reason, 'sampling_stage');
  b.attr('rate', num(numberField(f, 'rate') ?? 0));
  f.finish();
  return b;
}

export function convertLimit(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.limit');
  b.attr('rate', num(numberField(f, 'rate') ?? 0));
  b.attr('burst', num(numberField(f, 'burst', true) ?? 0));
  optBool(b, 'drop', f.bool('drop'));
  optStr(b, 'by_label_name', f.str('by_label_name'));
  optNum(b, 'max_distinct_labels', numberField(f, 'max_distinct_labels', true), 10_000);
  f.finish();
  return b;
}

/** promtail's and Alloy's defaults agree (128 lines, 3s), so unset fields stay unset. */
export function convertMultiline(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.multiline');
  b.attr('firstline', str(f.str('firstline') ?? ''));
  optNum(b, 'max_lines', numberField(f, 'max_lines', true), 128);
  optDuration(b, 'max_wait_time', f.goDuration('max_wait_time'), 3000);
  f.finish();
  return b;
}

export function convertTimestamp(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.timestamp');
  b.attr('source', str(f.str('source') ?? ''));
  b.attr('format', str(f.str('format') ?? ''));
  optList(b, 'fallback_formats', f.strList('fallback_formats'));
  optStr(b, 'location', f.str('location'));
  optStr(b, 'action_on_failure', f.str('action_on_failure'));
  f.finish();
  return b;
}

export function convertMatch(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.match');
  b.attr('selector', str(f.str('selector') ?? ''));
  optStr(b, 'action', f.str('action'));
  optStr(b, 'pipeline_name', f.str('pipeline_name'));
  optStr(b, 'drop_counter_reason', f.str('drop_counter_reason'));
  const raw = f.take('stages');
  if (raw !== undefined && !Array.isArray(raw)) input.diags.critical(`${f.where('stages')}: expected a list of stages`);
  else if (raw !== undefined) for (const nested of input.nested(f.where('stages'), raw)) b.append(nested);
  f.finish();
  return b;
}
