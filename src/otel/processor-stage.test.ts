// A processor stage passes on what its step returns, passes nothing on when
// nothing is left, and rejects when the step or a consumer fails.
import { otelConsumer, type Logs } from '../pipeline/otel.js';
import { ProcessorStage } from './processor-stage.js';

const logs = (n: number): Logs => ({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: Array.from({ length: n }, () => ({ attributes: [] })) }] }] });

function sink() {
  const got: Logs[] = [];
  const c = otelConsumer({ consumeTraces: async () => {}, consumeMetrics: async () => {}, consumeLogs: async (d: Logs) => void got.push(d) });
  return { got, c };
}

describe('ProcessorStage', () => {
  it('passes on the step result, and nothing when no item is left', async () => {
    const { got, c } = sink();
    let keep = 2;
    const stage = new ProcessorStage(<T>(_s: unknown, d: T) => (keep === 0 ? (logs(0) as T) : d), { traces: [], metrics: [], logs: [c] });
    await stage.input.consumeLogs(logs(2));
    keep = 0;
    await stage.input.consumeLogs(logs(2));
    expect(got.map((d) => d.resourceLogs[0].scopeLogs[0].logRecords.length)).toEqual([2]);
  });
  it('rejects with the step error', async () => {
    const { c } = sink();
    const stage = new ProcessorStage(() => {
      throw new Error('data refused due to high memory usage');
    }, { traces: [], metrics: [], logs: [c] });
    await expect(stage.input.consumeLogs(logs(1))).rejects.toThrow('data refused due to high memory usage');
  });
});
