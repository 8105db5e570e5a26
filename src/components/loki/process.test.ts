import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { lokiProcess, type LokiProcessArgs } from './process.js';
import type { LogEntry, LogsReceiver } from '../../pipeline/logs.js';

function sink() {
  const got: LogEntry[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const r: LogsReceiver & { got: LogEntry[]; hold(): void; open(): void } = {
    got,
    async append(es) {
      if (gate) await gate;
      got.push(...es);
    },
    hold() {
      gate = new Promise((res) => (release = res));
    },
    open() {
      release?.();
      gate = undefined;
    },
  };
  return r;
}

function args(forward: LogsReceiver[], blocks: { name: string; value: unknown }[]): LokiProcessArgs {
  const a = { forward_to: forward } as LokiProcessArgs;
  Object.defineProperty(a, '_blocks', { value: blocks, enumerable: false });
  return a;
}

describe('loki.process', () => {
  it('runs stages in source order, forwards to all receivers, counts drops', async () => {
    const ctx = makeTestContext({ id: 'loki.process.p' });
    const a = sink();
    const b = sink();
    const c = lokiProcess.build(ctx, args([a, b], []));
    await c.update(
      args([a, b], [
        { name: 'stage.logfmt', value: { mapping: { level: '' } } },
        { name: 'stage.drop', value: { source: 'level', value: 'debug', drop_counter_reason: 'debug' } },
        { name: 'stage.labels', value: { values: { level: '' } } },
        { name: 'stage.static_labels', value: { values: { level: 'forced' } } },
      ]),
    );
    const rec = ctx.exports.receiver as LogsReceiver;
    await rec.append([
      { labels: { job: 'j' }, ts: 1n, line: 'level=debug x' },
      { labels: { job: 'j' }, ts: 2n, line: 'level=info y' },
    ]);
    expect(a.got).toEqual([{ labels: { job: 'j', level: 'forced' }, ts: 2n, line: 'level=info y' }]);
    expect(b.got).toEqual(a.got);
    expect(await ctx.metrics.getSingleMetricAsString('loki_process_dropped_lines_total')).toMatch(/reason="debug",component_id="loki.process.p",component_path="\/"\} 1/);
  });

  it('append resolves only when downstream accepted (backpressure)', async () => {
    const ctx = makeTestContext({ id: 'loki.process.bp' });
    const a = sink();
    const c = lokiProcess.build(ctx, args([a], []));
    await c.update(args([a], []));
    a.hold();
    let done = false;
    const p = (ctx.exports.receiver as LogsReceiver).append([{ labels: {}, ts: 1n, line: 'l' }]).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    a.open();
    await p;
    expect(a.got.length).toBe(1);
  });

  it('keeps the old pipeline when an update is invalid, and names the stage', async () => {
    const ctx = makeTestContext({ id: 'loki.process.bad' });
    const a = sink();
    const c = lokiProcess.build(ctx, args([a], []));
    await c.update(args([a], [{ name: 'stage.static_labels', value: { values: { env: 'x' } } }]));
    expect(() => c.update(args([a], [{ name: 'stage.drop', value: { expression: '[' } }]))).toThrow(/stage.drop \(stage 1\): invalid expression/);
    await (ctx.exports.receiver as LogsReceiver).append([{ labels: {}, ts: 1n, line: 'l' }]);
    expect(a.got[0].labels).toEqual({ env: 'x' });
  });
});
