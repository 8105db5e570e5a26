// promtail's parsing and line-rewriting stages -> loki.process stage blocks:
// json, logfmt, regex, replace, template, output, cri, docker, decolorize,
// eventlogmessage, geoip.
import { Block, str, strMap } from '../../builder.js';
import { parsePromtailBytes } from './bytes.js';
import { optBool, optNum, optStr, numberField } from './emit.js';
import { fieldsOf, type StageInput } from './types.js';

export function convertJson(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.json');
  b.attr('expressions', strMap(f.strMap('expressions') ?? {}));
  optStr(b, 'source', f.str('source'));
  optBool(b, 'drop_malformed', f.bool('drop_malformed'));
  f.finish();
  return b;
}

export function convertLogfmt(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.logfmt');
  b.attr('mapping', strMap(f.strMap('mapping') ?? {}));
  optStr(b, 'source', f.str('source'));
  f.finish();
  return b;
}

export function convertRegex(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.regex');
  b.attr('expression', str(f.str('expression') ?? ''));
  optStr(b, 'source', f.str('source'));
  f.finish();
  return b;
}

export function convertReplace(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.replace');
  b.attr('expression', str(f.str('expression') ?? ''));
  optStr(b, 'source', f.str('source'));
  optStr(b, 'replace', f.str('replace'));
  f.finish();
  return b;
}

export function convertTemplate(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.template');
  b.attr('source', str(f.str('source') ?? ''));
  b.attr('template', str(f.str('template') ?? ''));
  f.finish();
  return b;
}

export function convertOutput(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.output').attr('source', str(f.str('source') ?? ''));
  f.finish();
  return b;
}

/** promtail's max_partial_lines of 0 means its default, 100, which is Alloy's too (so it is left out). */
/** loki.source.kubernetes reads through the API server: no runtime framing to take off. */
function framingInfo(input: StageInput, block: string, framing: string): void {
  input.diags.info(
    `${input.where}: converted to ${block}; loki.source.kubernetes reads lines through the API server, which sends them without the ${framing} framing, and ${block} passes such lines on unchanged.`,
  );
}

export function convertCri(input: StageInput): Block {
  framingInfo(input, 'stage.cri', 'CRI');
  const f = fieldsOf(input);
  const b = new Block('stage.cri');
  optNum(b, 'max_partial_lines', numberField(f, 'max_partial_lines', true), 100);
  const size = f.take('max_partial_line_size');
  if (size !== undefined) {
    try {
      optNum(b, 'max_partial_line_size', typeof size === 'number' ? size : parsePromtailBytes(String(size)));
    } catch (e) {
      input.diags.critical(`${f.where('max_partial_line_size')}: ${(e as Error).message}`);
    }
  }
  optBool(b, 'max_partial_line_size_truncate', f.bool('max_partial_line_size_truncate'));
  f.finish();
  return b;
}

export function convertDocker(input: StageInput): Block {
  framingInfo(input, 'stage.docker', 'Docker JSON');
  fieldsOf(input).finish();
  return new Block('stage.docker');
}

export function convertDecolorize(input: StageInput): Block {
  fieldsOf(input).finish();
  return new Block('stage.decolorize');
}

export function convertEventLogMessage(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.eventlogmessage');
  optStr(b, 'source', f.str('source'), 'message');
  optBool(b, 'drop_invalid_labels', f.bool('drop_invalid_labels'));
  optBool(b, 'overwrite_existing', f.bool('overwrite_existing'));
  f.finish();
  return b;
}

export function convertGeoip(input: StageInput): Block {
  const f = fieldsOf(input);
  const b = new Block('stage.geoip');
  b.attr('db', str(f.str('db') ?? ''));
  b.attr('source', str(f.str('source') ?? ''));
  optStr(b, 'db_type', f.str('db_type'));
  f.finish();
  return b;
}
