// Collector components whose Alloy equivalent is a bridge plus a native
// component (Alloy's otelcolconvert has no mapping for them; these are ours):
//   exporter prometheusremotewrite -> otelcol.exporter.prometheus forwarding to
//     prometheus.remote_write (one endpoint)
//   exporter loki -> otelcol.exporter.loki forwarding to loki.write
//   receiver prometheus -> the scrape configs of its `config` converted as for
//     `--source-format=prometheus`, forwarding to otelcol.receiver.prometheus
// The HTTP exporters' auth extension is inlined (basicauth -> basic_auth,
// bearertokenauth -> bearer_token), since those components take credentials
// directly; any other authenticator is an error.
import { array, type Block, bool, expr, str, strMap } from '../builder.js';
import { Block as B } from '../builder.js';
import { Fields } from '../fields.js';
import { convertGlobal } from '../prometheus/global.js';
import { convertScrapeConfig } from '../prometheus/scrape.js';
import { sanitizeLabel } from '../builder.js';
import { type Ctx, type Obj, copy, ignoredKeys, obj, under, unsupported } from './helpers.js';

type Mapping = { component: string; hasOutput: boolean; build(block: Block, cfg: Obj, ctx: Ctx, label: string): Block[] };

/** The Collector's TLS versions ("1.2") as Prometheus's ("TLS12"). */
const tlsVersion = (v: unknown): string | undefined => (typeof v === 'string' ? (/^1\.[0-3]$/.test(v) ? `TLS1${v[2]}` : v) : undefined);

/** tls -> tls_config of a Prometheus-style HTTP client. */
function tlsConfig(into: Block, v: unknown, ctx: Ctx): void {
  if (v === undefined) return;
  const t = obj(v);
  const c = under(ctx, 'tls');
  ignoredKeys(t, ['insecure', 'insecure_skip_verify', 'ca_file', 'cert_file', 'key_file', 'server_name_override', 'min_version'], c);
  // insecure (plain text) is the scheme of the endpoint URL for HTTP clients: nothing to write.
  const b = new B('tls_config');
  copy(b, t, ['ca_file', 'cert_file', 'key_file', ['server_name_override', 'server_name'], 'insecure_skip_verify'], c);
  b.attr('min_version', tlsVersion(t.min_version) !== undefined ? str(tlsVersion(t.min_version)!) : undefined);
  if (!b.isEmpty) into.append(b);
}

/** auth.authenticator -> the credentials of the extension, inlined. */
function inlineAuth(into: Block, cfg: Obj, ctx: Ctx): void {
  const a = obj(cfg.auth).authenticator;
  if (a === undefined) return;
  const ext = typeof a === 'string' ? ctx.extensionConfig?.(a) : undefined;
  if (!ext) {
    ctx.diags.error(`${ctx.what}: authenticator ${JSON.stringify(a)} is not an extension listed in service.extensions`);
    return;
  }
  if (ext.type === 'basicauth') {
    const ca = obj(ext.cfg.client_auth);
    copy(into.block('basic_auth'), ca, ['username', 'password'], ctx);
    return;
  }
  if (ext.type === 'bearertokenauth') {
    const scheme = typeof ext.cfg.scheme === 'string' ? ext.cfg.scheme : 'Bearer';
    if (scheme !== 'Bearer') {
      const b = into.block('authorization').attr('type', str(scheme));
      if (typeof ext.cfg.filename === 'string') b.attr('credentials_file', str(ext.cfg.filename));
      else copy(b, ext.cfg, [['token', 'credentials']], ctx);
      return;
    }
    if (typeof ext.cfg.filename === 'string') into.attr('bearer_token_file', str(ext.cfg.filename));
    else copy(into, ext.cfg, [['token', 'bearer_token']], ctx);
    return;
  }
  ctx.diags.error(`${ctx.what}: authenticator ${JSON.stringify(a)} (${ext.type}) cannot be inlined into the HTTP client; only basicauth and bearertokenauth can`);
}

const headersOf = (v: unknown) => strMap(Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)])));

const prometheusremotewrite: Mapping = {
  component: 'otelcol.exporter.prometheus',
  hasOutput: false,
  build(block, cfg, ctx, label) {
    const known = [
      'endpoint', 'headers', 'tls', 'auth', 'timeout', 'namespace', 'external_labels', 'resource_to_telemetry_conversion', 'add_metric_suffixes',
      'send_metadata', 'remote_write_queue', 'retry_on_failure', 'target_info', 'export_created_metric', 'wal', 'max_batch_size_bytes', 'compression',
    ];
    ignoredKeys(cfg, known, ctx);
    const rw = new B('prometheus.remote_write', label);
    block.attr('forward_to', array([expr(`${rw.id}.receiver`)]));
    if (cfg.add_metric_suffixes === false) block.attr('add_metric_suffixes', bool(false));
    if (obj(cfg.resource_to_telemetry_conversion).enabled === true) block.attr('resource_to_telemetry_conversion', bool(true));
    if (obj(cfg.target_info).enabled === false) block.attr('include_target_info', bool(false));
    unsupported(cfg, 'namespace', ctx, 'otelcol.exporter.prometheus adds no metric name prefix; rename with prometheus.relabel');
    if (obj(cfg.export_created_metric).enabled === true) ctx.diags.error(`${ctx.what}: setting "export_created_metric" cannot be converted: otelcol.exporter.prometheus writes no _created series`);
    if (cfg.wal !== undefined) ctx.diags.warn(`${ctx.what}: setting "wal" is not converted: prometheus.remote_write always keeps its own write-ahead log`);
    if (cfg.max_batch_size_bytes !== undefined) ctx.diags.warn(`${ctx.what}: setting "max_batch_size_bytes" is not converted: prometheus.remote_write batches by queue_config.max_samples_per_send`);
    if (cfg.compression !== undefined && cfg.compression !== 'snappy') ctx.diags.warn(`${ctx.what}: setting "compression" is not converted: remote write is always snappy-compressed`);

    const ep = rw.block('endpoint');
    if (typeof cfg.endpoint !== 'string') ctx.diags.error(`${ctx.what}: endpoint is required`);
    ep.attr('url', str(typeof cfg.endpoint === 'string' ? cfg.endpoint : ''));
    if (cfg.timeout !== undefined) copy(ep, cfg, [['timeout', 'remote_timeout']], ctx);
    if (cfg.headers !== undefined) ep.attr('headers', headersOf(cfg.headers));
    if (cfg.send_metadata === true) ep.block('metadata_config').attr('send', bool(true));
    inlineAuth(ep, cfg, ctx);
    tlsConfig(ep, cfg.tls, ctx);
    // The exporter's queue and retry as remote_write's queue_config: queue_size -> capacity, num_consumers -> max_shards, backoff bounds.
    const q = obj(cfg.remote_write_queue);
    const r = obj(cfg.retry_on_failure);
    ignoredKeys(q, ['enabled', 'queue_size', 'num_consumers'], under(ctx, 'remote_write_queue'));
    ignoredKeys(r, ['enabled', 'initial_interval', 'max_interval', 'max_elapsed_time', 'randomization_factor', 'multiplier'], under(ctx, 'retry_on_failure'));
    if (q.enabled === false) ctx.diags.warn(`${ctx.what}: remote_write_queue.enabled = false is not converted: prometheus.remote_write always queues`);
    if (r.enabled === false) ctx.diags.warn(`${ctx.what}: retry_on_failure.enabled = false is not converted: prometheus.remote_write always retries recoverable errors`);
    for (const k of ['max_elapsed_time', 'randomization_factor', 'multiplier']) if (r[k] !== undefined) ctx.diags.warn(`${ctx.what}: retry_on_failure.${k} is not converted: prometheus.remote_write backs off between min_backoff and max_backoff`);
    const qc = new B('queue_config');
    copy(qc, q, [['queue_size', 'capacity'], ['num_consumers', 'max_shards']], under(ctx, 'remote_write_queue'));
    copy(qc, r, [['initial_interval', 'min_backoff'], ['max_interval', 'max_backoff']], under(ctx, 'retry_on_failure'));
    if (!qc.isEmpty) ep.append(qc);
    if (cfg.external_labels !== undefined) rw.attr('external_labels', headersOf(cfg.external_labels));
    return [rw];
  },
};

const loki: Mapping = {
  component: 'otelcol.exporter.loki',
  hasOutput: false,
  build(block, cfg, ctx, label) {
    ignoredKeys(cfg, ['endpoint', 'headers', 'tls', 'auth', 'timeout', 'sending_queue', 'retry_on_failure', 'default_labels_enabled'], ctx);
    const w = new B('loki.write', label);
    block.attr('forward_to', array([expr(`${w.id}.receiver`)]));
    const ep = w.block('endpoint');
    if (typeof cfg.endpoint !== 'string') ctx.diags.error(`${ctx.what}: endpoint is required`);
    ep.attr('url', str(typeof cfg.endpoint === 'string' ? cfg.endpoint : ''));
    if (cfg.timeout !== undefined) copy(ep, cfg, [['timeout', 'remote_timeout']], ctx);
    if (cfg.headers !== undefined) ep.attr('headers', headersOf(cfg.headers));
    const r = obj(cfg.retry_on_failure);
    ignoredKeys(r, ['enabled', 'initial_interval', 'max_interval', 'max_elapsed_time', 'randomization_factor', 'multiplier'], under(ctx, 'retry_on_failure'));
    copy(ep, r, [['initial_interval', 'min_backoff_period'], ['max_interval', 'max_backoff_period']], ctx);
    for (const k of ['enabled', 'max_elapsed_time', 'randomization_factor', 'multiplier']) {
      if (r[k] !== undefined) ctx.diags.warn(`${ctx.what}: retry_on_failure.${k} is not converted: loki.write retries with min_backoff_period, max_backoff_period and max_backoff_retries`);
    }
    if (cfg.sending_queue !== undefined) ctx.diags.warn(`${ctx.what}: setting "sending_queue" is not converted: loki.write batches and queues per endpoint (batch_size, batch_wait)`);
    const d = obj(cfg.default_labels_enabled);
    if (Object.values(d).some((x) => x === false)) ctx.diags.warn(`${ctx.what}: setting "default_labels_enabled" is not converted: otelcol.exporter.loki always adds the exporter, job, instance and level labels it can fill`);
    inlineAuth(ep, cfg, ctx);
    tlsConfig(ep, cfg.tls, ctx);
    return [w];
  },
};

export const BRIDGE_EXPORTERS: Record<string, Mapping> = { prometheusremotewrite, loki };

const prometheusReceiver: Mapping = {
  component: 'otelcol.receiver.prometheus',
  hasOutput: true,
  build(_block, cfg, ctx, label) {
    ignoredKeys(cfg, ['config', 'trim_metric_suffixes', 'use_start_time_metric', 'start_time_metric_regex', 'target_allocator', 'api_server', 'report_extra_scrape_metrics'], ctx);
    for (const k of ['target_allocator', 'api_server']) unsupported(cfg, k, ctx, 'otelcol.receiver.prometheus here takes samples from prometheus.scrape; there is no target allocator or API server');
    if (cfg.trim_metric_suffixes === true) ctx.diags.error(`${ctx.what}: setting "trim_metric_suffixes" cannot be converted: otelcol.receiver.prometheus keeps the metric names it receives`);
    if (cfg.use_start_time_metric === true) ctx.diags.error(`${ctx.what}: setting "use_start_time_metric" cannot be converted: start times come from the scrape`);
    if (cfg.report_extra_scrape_metrics === true) ctx.diags.warn(`${ctx.what}: setting "report_extra_scrape_metrics" is not converted: set extra_metrics = true on the prometheus.scrape components`);
    const where = `${ctx.what} config`;
    const top = Fields.of(where, cfg.config, ctx.diags);
    const global = convertGlobal(top.obj('global'));
    const forwardTo = array([expr(`otelcol.receiver.prometheus.${label}.receiver`)]);
    const out: Block[] = [];
    const jobs = top.list('scrape_configs');
    if (jobs.length === 0) ctx.diags.warn(`${ctx.what}: config has no scrape_configs; the receiver gets no samples`);
    for (const sc of jobs) {
      const jobName = sc.str('job_name');
      if (!jobName) {
        ctx.diags.error(`${sc.path}: job_name is empty`);
        continue;
      }
      const j = convertScrapeConfig(sc, sanitizeLabel(`${label}_${jobName}`), jobName, global, forwardTo);
      out.push(...j.discovery, ...(j.relabel ? [j.relabel] : []), j.scrape);
    }
    for (const k of ['remote_write', 'remote_read', 'alerting', 'rule_files', 'storage', 'tracing', 'scrape_config_files', 'otlp', 'runtime']) top.unsupported(k);
    top.finish();
    return out;
  },
};

export const BRIDGE_RECEIVERS: Record<string, Mapping> = { prometheus: prometheusReceiver };
