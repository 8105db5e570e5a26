// promtail's metrics stage -> stage.metrics with one metric.counter,
// metric.gauge or metric.histogram block per metric, in name order (a YAML
// map has none; Alloy's converter sorts too). The promtail `config` fields
// become attributes of the block.
import { Block, array, num, str } from '../../builder.js';
import type { Fields } from '../../fields.js';
import { numberList, optBool, optDuration, optStr } from './emit.js';
import { fieldsOf, type StageInput } from './types.js';

const ACTIONS: Record<string, string[]> = { counter: ['inc', 'add'], gauge: ['set', 'inc', 'dec', 'add', 'sub'] };
const DEFAULT_PREFIX = 'loki_process_custom_';
const DEFAULT_MAX_IDLE_MS = 5 * 60_000;

export function convertMetrics(input: StageInput): Block | undefined {
  const all = fieldsOf(input);
  const b = new Block('stage.metrics');
  let ok = true;
  for (const name of [...all.keys()].sort()) {
    const m = all.obj(name);
    if (m) ok = metricBlock(b, name, m) && ok;
  }
  all.finish();
  return ok ? b : undefined;
}

function metricBlock(parent: Block, name: string, m: Fields): boolean {
  const type = (m.str('type') ?? '').toLowerCase();
  if (type !== 'counter' && type !== 'gauge' && type !== 'histogram') {
    m.diags.error(`${m.where('type')}: unknown metric type ${JSON.stringify(type)}; promtail has counter, gauge and histogram.`);
    for (const k of m.keys()) m.take(k);
    return false;
  }
  const b = new Block(`metric.${type}`);
  b.attr('name', str(name));
  optStr(b, 'description', m.str('description'));
  optStr(b, 'source', m.str('source'));
  optStr(b, 'prefix', m.str('prefix'), DEFAULT_PREFIX);
  optDuration(b, 'max_idle_duration', m.goDuration('max_idle_duration'), DEFAULT_MAX_IDLE_MS);
  const c = m.obj('config');
  m.finish();
  const cfg = c ?? fieldsOfEmpty(m);
  optStr(b, 'value', cfg.str('value'));
  if (type === 'histogram') {
    b.attr('buckets', array((numberList(cfg, 'buckets') ?? []).map(num)));
  } else {
    const action = (cfg.str('action') ?? '').toLowerCase();
    if (!ACTIONS[type].includes(action)) {
      m.diags.error(`${cfg.where('action')}: the ${type} ${JSON.stringify(name)} needs an action, one of ${ACTIONS[type].join(', ')}; got ${JSON.stringify(action)}.`);
      return false;
    }
    b.attr('action', str(action));
    if (type === 'counter') {
      optBool(b, 'match_all', cfg.bool('match_all'));
      optBool(b, 'count_entry_bytes', cfg.bool('count_entry_bytes'));
    }
  }
  cfg.finish();
  parent.append(b);
  return true;
}

function fieldsOfEmpty(m: Fields): Fields {
  return fieldsOf({ where: m.where('config'), raw: {}, diags: m.diags, nested: () => [] });
}
