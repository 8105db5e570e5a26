// The Collector's loadbalancing exporter -> otelcol.exporter.loadbalancing, as
// Alloy's otelcolconvert maps it: protocol.otlp (an OTLP exporter's settings,
// its sending_queue and retry_on_failure under Alloy's names queue and retry,
// the gRPC settings in a client block, always written), resolver static, dns
// and k8s (Alloy's kubernetes block). The aws_cloud_map resolver has no
// equivalent here and is an error.
import { type Block, num, str, strArray, strMap, array } from '../builder.js';
import { ROUTING_KEYS } from '../../otel/loadbalancing/routing.js';
import { type Ctx, type Obj, authRef, copy, ignoredKeys, obj, queueBlock, retryBlock, stringsOf, tlsBlock, under, unsupported } from './helpers.js';

/** The Collector writes buffer sizes in bytes; Alloy takes sizes with units. */
function bytes(v: unknown): string | undefined {
  if (typeof v === 'number') return `${v}B`;
  return typeof v === 'string' ? v : undefined;
}

function protocolOtlp(block: Block, v: unknown, ctx: Ctx): void {
  const o = obj(v);
  const c = under(ctx, 'protocol.otlp');
  const clientKeys = ['compression', 'headers', 'tls', 'auth', 'balancer_name', 'keepalive', 'read_buffer_size', 'write_buffer_size', 'wait_for_ready', 'authority'];
  ignoredKeys(o, ['endpoint', 'timeout', 'sending_queue', 'retry_on_failure', ...clientKeys], c);
  // The resolver supplies the endpoints; the Collector ignores this one too.
  if (o.endpoint !== undefined) c.diags.warn(`${c.what}: setting "endpoint" is ignored by the loadbalancing exporter (the resolver gives the backends) and was left out`);
  const otlp = block.block('protocol').block('otlp');
  copy(otlp, o, ['timeout'], c);
  queueBlock(otlp, 'queue', o.sending_queue, c);
  retryBlock(otlp, 'retry', o.retry_on_failure, c);
  const client = otlp.block('client');
  copy(client, o, ['compression', 'authority', 'wait_for_ready'], c);
  if (typeof o.balancer_name === 'string' && o.balancer_name !== 'round_robin') client.attr('balancer_name', str(o.balancer_name));
  if (o.headers !== undefined) client.attr('headers', strMap(Object.fromEntries(Object.entries(obj(o.headers)).map(([k, x]) => [k, String(x)]))));
  for (const k of ['read_buffer_size', 'write_buffer_size']) {
    const b = bytes(o[k]);
    if (b !== undefined) client.attr(k, str(b));
  }
  client.append(tlsBlock(o.tls, c));
  if (o.keepalive !== undefined) {
    const k = obj(o.keepalive);
    ignoredKeys(k, ['time', 'timeout', 'permit_without_stream'], under(c, 'keepalive'));
    copy(client.block('keepalive'), k, [['time', 'ping_wait'], ['timeout', 'ping_response_timeout'], ['permit_without_stream', 'ping_without_stream']], c);
  }
  client.attr('auth', authRef(o, c));
}

function resolver(block: Block, v: unknown, ctx: Ctx): void {
  const r = obj(v);
  const c = under(ctx, 'resolver');
  ignoredKeys(r, ['static', 'dns', 'k8s', 'aws_cloud_map'], c);
  unsupported(r, 'aws_cloud_map', c, 'otelcol.exporter.loadbalancing here resolves backends with static, dns, kubernetes or clustering');
  const b = block.block('resolver');
  if (r.static !== undefined) {
    const s = obj(r.static);
    ignoredKeys(s, ['hostnames'], under(c, 'static'));
    b.block('static').attr('hostnames', strArray(stringsOf(s, 'hostnames', c) ?? []));
  }
  if (r.dns !== undefined) {
    const d = obj(r.dns);
    ignoredKeys(d, ['hostname', 'port', 'interval', 'timeout'], under(c, 'dns'));
    const db = b.block('dns');
    copy(db, d, ['hostname'], c);
    // The port is a string in Alloy ("4317"); YAML often writes a number.
    if (d.port !== undefined) db.attr('port', str(String(d.port)));
    copy(db, d, ['interval', 'timeout'], c);
  }
  if (r.k8s !== undefined) {
    const k = obj(r.k8s);
    ignoredKeys(k, ['service', 'ports', 'timeout', 'return_hostnames'], under(c, 'k8s'));
    const kb = b.block('kubernetes');
    copy(kb, k, ['service'], c);
    if (Array.isArray(k.ports)) kb.attr('ports', array(k.ports.map((p) => num(Number(p)))));
    copy(kb, k, ['timeout', 'return_hostnames'], c);
  }
}

export const LOADBALANCING = {
  component: 'otelcol.exporter.loadbalancing',
  hasOutput: false,
  build(block: Block, cfg: Obj, ctx: Ctx): void {
    ignoredKeys(cfg, ['routing_key', 'timeout', 'sending_queue', 'retry_on_failure', 'resolver', 'protocol'], ctx);
    const p = obj(cfg.protocol);
    ignoredKeys(p, ['otlp'], under(ctx, 'protocol'));
    protocolOtlp(block, p.otlp, ctx);
    if (cfg.resolver === undefined) ctx.diags.error(`${ctx.what}: resolver is required (static, dns or k8s)`);
    else resolver(block, cfg.resolver, ctx);
    if (typeof cfg.routing_key === 'string' && cfg.routing_key !== '' && cfg.routing_key !== 'traceID') {
      if (!(ROUTING_KEYS as readonly string[]).includes(cfg.routing_key)) ctx.diags.error(`${ctx.what}: routing_key ${JSON.stringify(cfg.routing_key)} cannot be converted: otelcol.exporter.loadbalancing here routes by ${ROUTING_KEYS.join(', ')}`);
      block.attr('routing_key', str(cfg.routing_key));
    }
    copy(block, cfg, ['timeout'], ctx);
    // Off unless configured (Alloy's defaults for this component's top-level queue and retry).
    queueBlock(block, 'sending_queue', cfg.sending_queue, ctx, true);
    retryBlock(block, 'retry_on_failure', cfg.retry_on_failure, ctx, true);
  },
};
