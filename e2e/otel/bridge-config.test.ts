// Bad bridge configs are refused with the component and the reason, and never
// start anything: a receiver of the wrong kind in forward_to, gc_frequency 0,
// an experimental option at the default stability level.
import { otelController } from '../lib/otel-support.js';

const cases: [string, string, RegExp][] = [
  [
    'a logs receiver where metrics receivers go',
    `otelcol.receiver.loki "l" {\n  output { }\n}\notelcol.exporter.prometheus "p" {\n  forward_to = [otelcol.receiver.loki.l.receiver]\n}\n`,
    /forward_to.*storage\.Appendable|storage\.Appendable.*loki\.LogsReceiver/s,
  ],
  [
    'an OTel consumer where logs receivers go',
    `otelcol.exporter.debug "d" { }\notelcol.exporter.loki "l" {\n  forward_to = [otelcol.exporter.debug.d.input]\n}\n`,
    /forward_to.*loki\.LogsReceiver|loki\.LogsReceiver.*otelcol\.Consumer/s,
  ],
  ['gc_frequency of zero', `otelcol.exporter.prometheus "p" {\n  forward_to   = []\n  gc_frequency = "0s"\n}\n`, /gc_frequency must be greater than 0/],
  ['an experimental option at the default stability level', `otelcol.exporter.prometheus "p" {\n  forward_to                         = []\n  convert_classic_histograms_to_nhcb = true\n}\n`, /convert_classic_histograms_to_nhcb.*experimental/s],
  ['a missing output block', `otelcol.receiver.prometheus "r" { }\n`, /output/],
];

test.each(cases)('%s is refused with the reason', async (_name, config, want) => {
  const { controller } = otelController();
  try {
    await expect(controller.load(config, 'bad.alloy')).rejects.toThrow(want);
  } finally {
    await controller.stop();
  }
});
