// remote_write (all entries) -> one prometheus.remote_write "default" with an
// endpoint block each, global external_labels as its external_labels.
import { Block, bool, num, str, strMap } from '../builder.js';
import { goDuration } from '../durations.js';
import type { Fields } from '../fields.js';
import { convertHttpClient, REMOTE_WRITE_CLIENT } from '../http-client.js';
import { relabelBlocks } from '../relabel.js';
import { fillFromSchema } from '../schema-block.js';
import { azureadSchema } from '../../net/azuread.js';
import { googleIamSchema } from '../../net/google-iam.js';
import { sigv4Schema } from '../../net/sigv4.js';

export const REMOTE_WRITE_LABEL = 'default';

const QUEUE_FIELDS: [string, 'uint' | 'duration' | 'bool'][] = [
  ['capacity', 'uint'],
  ['max_shards', 'uint'],
  ['min_shards', 'uint'],
  ['max_samples_per_send', 'uint'],
  ['batch_send_deadline', 'duration'],
  ['min_backoff', 'duration'],
  ['max_backoff', 'duration'],
  ['retry_on_http_429', 'bool'],
  ['sample_age_limit', 'duration'],
];

export function convertRemoteWrites(entries: Fields[], externalLabels: Record<string, string> | undefined): Block | undefined {
  if (entries.length === 0) return undefined;
  const b = new Block('prometheus.remote_write', REMOTE_WRITE_LABEL);
  for (const e of entries) b.append(convertEndpoint(e));
  if (externalLabels && Object.keys(externalLabels).length > 0) b.attr('external_labels', strMap(externalLabels));
  return b;
}

function convertEndpoint(f: Fields): Block {
  const b = new Block('endpoint');
  const name = f.str('name');
  if (name) b.attr('name', str(name));
  const url = f.str('url');
  if (!url) f.diags.critical(`${f.path}: url missing`);
  b.attr('url', str(url ?? ''));
  const timeout = f.promDuration('remote_timeout');
  if (timeout !== undefined) b.attr('remote_timeout', str(goDuration(timeout)));
  const headers = f.strMap('headers');
  if (headers && Object.keys(headers).length > 0) b.attr('headers', strMap(headers));
  // Prometheus sends no exemplars unless told to; Alloy's endpoint default is true.
  const exemplars = f.bool('send_exemplars') ?? false;
  if (!exemplars) b.attr('send_exemplars', bool(false));
  const nativeHistograms = f.bool('send_native_histograms');
  if (nativeHistograms) b.attr('send_native_histograms', bool(true));
  const message = f.str('protobuf_message');
  if (message && message !== 'prometheus.WriteRequest') b.attr('protobuf_message', str(message));
  if (f.bool('round_robin_dns') === true) b.attr('round_robin_dns', bool(true));
  // Cloud authentication blocks carry over under Alloy's (the same) names.
  for (const [key, schema] of [['sigv4', sigv4Schema], ['azuread', azureadSchema], ['google_iam', googleIamSchema]] as const) {
    const auth = f.obj(key);
    if (auth) fillFromSchema(auth, b.block(key), schema);
  }
  convertHttpClient(f, b, REMOTE_WRITE_CLIENT);

  const queue = f.obj('queue_config');
  if (queue) {
    const qb = b.block('queue_config');
    for (const [k, kind] of QUEUE_FIELDS) {
      if (kind === 'uint') {
        const v = queue.uint(k);
        if (v !== undefined) qb.attr(k, num(v));
      } else if (kind === 'duration') {
        const v = queue.promDuration(k);
        if (v !== undefined) qb.attr(k, str(goDuration(v)));
      } else {
        const v = queue.bool(k);
        if (v !== undefined) qb.attr(k, bool(v));
      }
    }
    queue.finish();
  }

  const meta = f.obj('metadata_config');
  if (meta) {
    const mb = b.block('metadata_config');
    const send = meta.bool('send');
    if (send !== undefined) mb.attr('send', bool(send));
    const interval = meta.promDuration('send_interval');
    if (interval !== undefined) mb.attr('send_interval', str(goDuration(interval)));
    const max = meta.uint('max_samples_per_send');
    if (max !== undefined) mb.attr('max_samples_per_send', num(max));
    meta.finish();
  }

  for (const r of relabelBlocks(f.list('write_relabel_configs'), 'write_relabel_config')) b.append(r);
  f.finish();
  return b;
}
