// Live debugging for otelcol components: a tap in front of an `output` block's
// consumers publishes each request as the debug exporter's detailed text
// (Alloy's otelcol publisher uses the Collector's text marshaler the same way).
// The text is built only while somebody watches the component.
import { otelConsumer, type OtelConsumer, type OtelOutput, type Signal, type SignalData } from '../pipeline/otel.js';
import type { LiveDataType, LiveDebugPublisher } from '../runtime/live-debugging.js';
import { detailed } from './debug-output.js';
import { itemCount } from './model.js';

const TYPES: Record<Signal, LiveDataType> = { traces: 'otel_trace', metrics: 'otel_metric', logs: 'otel_log' };

function tap(live: LiveDebugPublisher): OtelConsumer {
  const publish = <S extends Signal>(signal: S, data: SignalData[S]) => {
    if (live.active()) live.publish(TYPES[signal], itemCount(signal, data), () => detailed(signal, data));
    return Promise.resolve();
  };
  return otelConsumer({
    consumeTraces: (d) => publish('traces', d),
    consumeMetrics: (d) => publish('metrics', d),
    consumeLogs: (d) => publish('logs', d),
  });
}

/** The output with the tap in front of every signal that has consumers. */
export function withLiveTap(output: OtelOutput, live: LiveDebugPublisher | undefined): OtelOutput {
  if (!live) return output;
  const t = tap(live);
  const add = (list: OtelConsumer[]) => (list.length > 0 ? [t, ...list] : list);
  return { traces: add(output.traces), metrics: add(output.metrics), logs: add(output.logs) };
}
