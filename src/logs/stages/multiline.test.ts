import { buildPipeline, type StageBlock } from './pipeline.js';
import { StageRunner } from './runner.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { waitFor } from '../../../e2e/lib/wait.js';

const FIRST = '^\\[\\d{4}-\\d{2}-\\d{2} \\d{1,2}:\\d{2}:\\d{2}\\]';

function runner(blocks: StageBlock[], now?: () => number) {
  const got: LogEntry[] = [];
  const errors: unknown[] = [];
  const r = new StageRunner(buildPipeline(blocks, () => {}, { now }), async (es) => void got.push(...es), (e) => errors.push(e));
  r.start();
  return { r, got, errors };
}

const ml = (args: Record<string, unknown>): StageBlock => ({ name: 'stage.multiline', value: { firstline: FIRST, ...args } });
const at = (line: string, ts: bigint, labels: Record<string, string> = { job: 'flask' }): LogEntry => ({ labels, ts, line });

describe('stage.multiline', () => {
  it('merges a first line and its continuation lines into one entry with the first line\'s timestamp', async () => {
    const { r, got } = runner([ml({ max_wait_time: 60_000 })]);
    await r.push([
      at('[2023-01-18 17:41:21] "GET /hello HTTP/1.1" 200 -', 1n),
      at('[2023-01-18 17:41:25] ERROR in app: Exception on /error [GET]', 2n),
      at('Traceback (most recent call last):', 3n),
      at('  File "app.py", line 2447, in wsgi_app', 4n),
      at('Exception: Sorry, this route always breaks', 5n),
      at('[2023-01-18 17:42:24] "GET /error HTTP/1.1" 500 -', 6n),
    ]);
    expect(got.map((e) => [e.ts, e.line])).toEqual([
      [1n, '[2023-01-18 17:41:21] "GET /hello HTTP/1.1" 200 -'],
      [2n, '[2023-01-18 17:41:25] ERROR in app: Exception on /error [GET]\nTraceback (most recent call last):\n  File "app.py", line 2447, in wsgi_app\nException: Sorry, this route always breaks'],
    ]);
    // The last block is held until something ends it; stopping flushes it.
    await r.stop();
    expect(got.map((e) => e.ts)).toEqual([1n, 2n, 6n]);
  });

  it('passes lines through until a stream\'s first first-line, and keeps streams apart', async () => {
    const { r, got } = runner([ml({ max_wait_time: 60_000 })]);
    const a = { job: 'a' };
    const b = { job: 'b' };
    await r.push([at('orphan', 1n, a), at('[2023-01-18 17:41:21] a1', 2n, a), at('[2023-01-18 17:41:21] b1', 3n, b), at('a-cont', 4n, a), at('b-cont', 5n, b)]);
    expect(got.map((e) => e.line)).toEqual(['orphan']);
    await r.stop();
    expect(got.slice(1).map((e) => [e.labels.job, e.line]).sort()).toEqual([['a', '[2023-01-18 17:41:21] a1\na-cont'], ['b', '[2023-01-18 17:41:21] b1\nb-cont']]);
  });

  it('max_lines ends a block; later continuation lines form a block with the same first-line metadata', async () => {
    const { r, got } = runner([ml({ max_lines: 2, max_wait_time: 60_000 })]);
    await r.push([at('[2023-01-18 17:41:21] x', 7n), at('l2', 8n), at('l3', 9n)]);
    expect(got.map((e) => [e.ts, e.line])).toEqual([[7n, '[2023-01-18 17:41:21] x\nl2']]);
    await r.stop();
    expect(got[1]).toEqual({ labels: { job: 'flask' }, ts: 7n, line: 'l3' });
  });

  it('trim_newlines (default true) strips trailing CR/LF of each line; false keeps them', async () => {
    const lines = [at('[2023-01-18 17:41:21] x\r\n', 1n), at('y\n', 2n)];
    const trimmed = runner([ml({ max_wait_time: 60_000 })]);
    await trimmed.r.push(lines);
    await trimmed.r.stop();
    expect(trimmed.got[0].line).toBe('[2023-01-18 17:41:21] x\ny');
    const kept = runner([ml({ max_wait_time: 60_000, trim_newlines: false })]);
    await kept.r.push(lines);
    await kept.r.stop();
    expect(kept.got[0].line).toBe('[2023-01-18 17:41:21] x\r\n\ny\n');
  });

  it('max_wait_time: a block is sent on by a timer when its stream stays quiet, through the later stages', async () => {
    const { r, got, errors } = runner([ml({ max_wait_time: 50 }), { name: 'stage.static_labels', value: { values: { merged: 'yes' } } }]);
    await r.push([at('[2023-01-18 17:41:21] boom', 1n), at('  at x', 2n)]);
    expect(got).toEqual([]);
    await waitFor('the timer to flush the block', () => got.length === 1, { timeoutMs: 10_000, intervalMs: 20 });
    expect(got[0]).toEqual({ labels: { job: 'flask', merged: 'yes' }, ts: 1n, line: '[2023-01-18 17:41:21] boom\n  at x' });
    // The idle stream was forgotten: its next non-first line passes through again.
    await r.push([at('orphan', 3n)]);
    expect(got[1].line).toBe('orphan');
    await r.stop();
    expect(errors).toEqual([]);
  });

  it('a block older than max_wait_time goes before the next entry of its stream even if the timer did not fire yet', async () => {
    let now = 1_000_000;
    const { r, got } = runner([ml({ max_wait_time: 10_000 })], () => now);
    await r.push([at('[2023-01-18 17:41:21] a', 1n), at('a2', 2n)]);
    now += 10_000;
    await r.push([at('late', 3n)]);
    expect(got.map((e) => e.line)).toEqual(['[2023-01-18 17:41:21] a\na2']);
    await r.stop();
    expect(got.map((e) => [e.ts, e.line])[1]).toEqual([1n, 'late']);
  });

  it('rejects bad configuration naming the stage', () => {
    const build = (v: Record<string, unknown>) => () => buildPipeline([{ name: 'stage.multiline', value: v }], () => {});
    expect(build({})).toThrow(/stage.multiline \(stage 1\): multiline stage config must define `firstline`/);
    expect(build({ firstline: '(' })).toThrow(/stage.multiline \(stage 1\): multiline stage first line regex compilation error/);
    expect(build({ firstline: 'x', max_wait_time: 0 })).toThrow(/max_wait_time must be greater than 0/);
    expect(build({ firstline: 'x', max_lines: -1 })).toThrow(/max_lines/);
  });
});
