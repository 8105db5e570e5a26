// promtail `clients` -> one loki.write per client ("default", "default_2",
// ...): each keeps its own external_labels, as Alloy's converter does.
import { Block, bool, num, str, strMap, labelWithIndex } from '../builder.js';
import { goDuration } from '../durations.js';
import type { Fields } from '../fields.js';
import { convertHttpClient, LOKI_WRITE_CLIENT } from '../http-client.js';

/** Bytes as Alloy writes a base-2 size ("1MiB", "512KiB", "1000B"). */
export function byteSize(n: number): string {
  if (n > 0 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2}MiB`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024}KiB`;
  return `${n}B`;
}

export function convertClient(f: Fields, index: number, maxStreams: number | undefined): Block {
  const b = new Block('loki.write', labelWithIndex(index, 'default'));
  const e = b.block('endpoint');
  const name = f.str('name');
  if (name) e.attr('name', str(name));
  const url = f.str('url');
  if (!url) f.diags.critical(`${f.path}: url missing`);
  e.attr('url', str(url ?? ''));
  const tenant = f.str('tenant_id');
  if (tenant) e.attr('tenant_id', str(tenant));
  const headers = f.strMap('headers');
  if (headers && Object.keys(headers).length > 0) e.attr('headers', strMap(headers));
  const batchSize = f.uint('batchsize');
  if (batchSize !== undefined && batchSize !== 1024 * 1024) e.attr('batch_size', str(byteSize(batchSize)));
  const batchWait = f.goDuration('batchwait');
  if (batchWait !== undefined && batchWait !== 1000) e.attr('batch_wait', str(goDuration(batchWait)));
  const timeout = f.goDuration('timeout');
  if (timeout !== undefined && timeout !== 10_000) e.attr('remote_timeout', str(goDuration(timeout)));
  const backoff = f.obj('backoff_config');
  if (backoff) {
    const min = backoff.goDuration('min_period');
    if (min !== undefined && min !== 500) e.attr('min_backoff_period', str(goDuration(min)));
    const max = backoff.goDuration('max_period');
    if (max !== undefined && max !== 300_000) e.attr('max_backoff_period', str(goDuration(max)));
    const retries = backoff.uint('max_retries');
    if (retries !== undefined && retries !== 10) e.attr('max_backoff_retries', num(retries));
    backoff.finish();
  }
  const dropRateLimited = f.bool('drop_rate_limited_batches');
  if (dropRateLimited) e.attr('retry_on_http_429', bool(false));
  convertHttpClient(f, e, LOKI_WRITE_CLIENT);
  f.dropped('stream_lag_labels', 'Warning', 'deprecated in promtail and has no equivalent');

  const external = f.strMap('external_labels');
  if (external && Object.keys(external).length > 0) b.attr('external_labels', strMap(external));
  if (maxStreams) b.attr('max_streams', num(maxStreams));
  f.finish();
  return b;
}
