// promtail's label stages -> loki.process: labels, static_labels,
// structured_metadata (and its old name non_indexed_labels), labeldrop ->
// stage.label_drop, labelallow -> stage.label_keep, tenant, pack.
import { Block, strArray, strMap } from '../../builder.js';
import { describe, Fields } from '../../fields.js';
import { optBool, optStr } from './emit.js';
import { fieldsOf, type StageInput } from './types.js';

/** A stage whose config is the map itself; `key:` (null) is "", which means "the extracted field of the same name". */
function mapOf(input: StageInput): Record<string, string> {
  const f = fieldsOf(input);
  const out: Record<string, string> = {};
  for (const k of f.keys()) {
    const v = f.take(k);
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else input.diags.critical(`${f.where(k)}: expected a string, got ${describe(v)}`);
  }
  return out;
}

/** A stage whose config is a list of label names. */
function listOf(input: StageInput): string[] {
  const raw = input.raw ?? [];
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) {
    input.diags.critical(`${input.where}: expected a list of label names, got ${describe(raw)}`);
    return [];
  }
  return raw as string[];
}

export const convertLabels = (input: StageInput): Block => new Block('stage.labels').attr('values', strMap(mapOf(input)));

export const convertStaticLabels = (input: StageInput): Block => new Block('stage.static_labels').attr('values', strMap(mapOf(input)));

export const convertStructuredMetadata = (input: StageInput): Block =>
  new Block('stage.structured_metadata').attr('values', strMap(mapOf(input)));

export function convertNonIndexedLabels(input: StageInput): Block {
  input.diags.warn(`${input.where}: non_indexed_labels is the deprecated name of structured_metadata; converted to stage.structured_metadata.`);
  return convertStructuredMetadata(input);
}

export const convertLabelDrop = (input: StageInput): Block => new Block('stage.label_drop').attr('values', strArray(listOf(input)));

export const convertLabelAllow = (input: StageInput): Block => new Block('stage.label_keep').attr('values', strArray(listOf(input)));

export function convertTenant(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.tenant');
  optStr(b, 'label', f.str('label'));
  optStr(b, 'source', f.str('source'));
  optStr(b, 'value', f.str('value'));
  f.finish();
  return b;
}

/**
 * promtail's pack defaults ingest_timestamp to true, as Alloy's stage.pack
 * does, so only `false` is written. (Alloy's converter writes false when the
 * field is unset, which changes the timestamps; we keep promtail's meaning.)
 */
export function convertPack(input: StageInput): Block {
  const f: Fields = fieldsOf(input);
  const b = new Block('stage.pack');
  b.attr('labels', strArray(f.strList('labels') ?? []));
  optBool(b, 'ingest_timestamp', f.bool('ingest_timestamp'), true);
  f.finish();
  return b;
}

