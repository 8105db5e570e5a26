// remote_write (all entries) -> one prometheus.remote_write "default" with an
// endpoint block each, global external_labels as its external_labels.
import { Block, bool, num, str, strMap } from '../builder.js';
import { goDuration } from '../durations.js';
import type { Fields } from '../fields.js';
import { convertHttpClient, REMOTE_WRITE_CLIENT } from '../http-client.js';
import { relabelBlocks } from '../relabel.js';

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
  f.unsupported('protobuf_message', 'this collector sends remote write 1.0 only', (v) => v === 'prometheus.WriteRequest');
  f.unsupported('round_robin_dns', undefined, (v) => v === false);
  f.unsupported('sigv4', 'no sigv4 authentication in this collector');
  f.unsupported('azuread', 'no Azure AD authentication in this collector');
  f.unsupported('google_iam', 'no Google IAM authentication in this collector');
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
    if (send !== false) f.diags.info(`${f.where('metadata_config')}: converted, but this collector does not send metric metadata.`);
  }

  for (const r of relabelBlocks(f.list('write_relabel_configs'), 'write_relabel_config')) b.append(r);
  f.finish();
  return b;
}
