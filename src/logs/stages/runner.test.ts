import { buildPipeline, type StageBlock } from './pipeline.js';
import { nestedStages, runStagesSync, StageRunner } from './runner.js';
import type { Stage, StageEntry } from './types.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { waitFor } from '../../../e2e/lib/wait.js';

const e = (line: string, ts = 1n): LogEntry => ({ labels: { job: 'x' }, ts, line });
const build = (blocks: StageBlock[]) => buildPipeline(blocks, () => {});
const ml = (wait = 60_000): StageBlock => ({ name: 'stage.multiline', value: { firstline: '^START', max_wait_time: wait } });
const tag = (v: string): StageBlock => ({ name: 'stage.static_labels', value: { values: { v } } });

function collect(stages: Stage[]) {
  const got: LogEntry[] = [];
  const r = new StageRunner(stages, async (es) => void got.push(...es), (err) => {
    throw err;
  });
  r.start();
  return { r, got };
}

describe('StageRunner', () => {
  it('keeps fields it does not know on entries (other stages may add some) and copies labels', async () => {
    const { r, got } = collect(build([tag('1')]));
    const input = { ...e('a'), structured_metadata: { trace_id: 't' } } as LogEntry;
    await r.push([input]);
    expect(got).toEqual([{ labels: { job: 'x', v: '1' }, ts: 1n, line: 'a', structured_metadata: { trace_id: 't' } }]);
    expect(input.labels).toEqual({ job: 'x' });
  });

  it('keeps the order of a batch across a stage that waits', async () => {
    const { r, got } = collect(build([{ name: 'stage.limit', value: { rate: 100, burst: 1 } }, tag('1')]));
    await r.push(['a', 'b', 'c'].map((l) => e(l)));
    expect(got.map((x) => x.line)).toEqual(['a', 'b', 'c']);
  });

  it('runStagesSync refuses a stage that waits instead of returning too early', () => {
    const stages = build([{ name: 'stage.limit', value: { rate: 0.001, burst: 1 } }]);
    expect(() => runStagesSync(stages, [e('a'), e('b')])).toThrow(/use StageRunner/);
    stages.forEach((s) => s.stop?.());
  });
});

describe('nestedStages (a stage list used as one stage, as stage.match needs)', () => {
  it('answers true, false or the released entries for the list as a whole', () => {
    const inner = nestedStages('match', build([{ name: 'stage.drop', value: { expression: 'debug' } }, tag('in')]));
    const x: StageEntry = { ...e('info'), extracted: {}, structuredMetadata: {} };
    expect(inner.process(x)).toBe(true);
    expect(x.labels.v).toBe('in');
    expect(inner.process({ ...e('debug'), extracted: {}, structuredMetadata: {} })).toBe(false);
    const held = nestedStages('match', build([ml()]));
    expect(held.process({ ...e('START a'), extracted: {}, structuredMetadata: {} })).toBe(false); // held: nothing goes on yet
    const released = held.process({ ...e('START b', 2n), extracted: {}, structuredMetadata: {} }) as StageEntry[];
    expect(released.map((r) => r.line)).toEqual(['START a']);
  });

  it('blocks released by a nested timer go through the rest of the nested list, then the outer stages', async () => {
    const outer = [nestedStages('match', build([ml(50), tag('inner')])), ...build([{ name: 'stage.static_labels', value: { values: { o: 'outer' } } }])];
    const { r, got } = collect(outer);
    await r.push([e('START x'), e('  y')]);
    await waitFor('the nested multiline timer', () => got.length === 1, { timeoutMs: 10_000, intervalMs: 20 });
    expect(got[0]).toEqual({ labels: { job: 'x', v: 'inner', o: 'outer' }, ts: 1n, line: 'START x\n  y' });
    await r.stop();
  });

  it('stop hands on what nested stages hold; a nested wait becomes a promise', async () => {
    const { r, got } = collect([nestedStages('match', build([ml(), tag('inner')]))]);
    await r.push([e('START x'), e('  y')]);
    await r.stop();
    expect(got.map((x) => [x.line, x.labels.v])).toEqual([['START x\n  y', 'inner']]);
    const waiting = nestedStages('match', build([{ name: 'stage.limit', value: { rate: 0.001, burst: 1 } }]));
    expect(waiting.process({ ...e('a'), extracted: {}, structuredMetadata: {} })).toBe(true);
    const p = waiting.process({ ...e('b'), extracted: {}, structuredMetadata: {} });
    expect(p).toBeInstanceOf(Promise);
    waiting.stop!(); // releases the waiting entry
    expect(await p).toBe(true);
  });
});
