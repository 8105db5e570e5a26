import { buildPipeline, runPipeline, type StageBlock } from './pipeline.js';
import { GenerationalMap, TokenBucket } from './limit.js';
import { StageRunner } from './runner.js';
import type { StageEnv } from './env.js';
import type { LogEntry } from '../../pipeline/logs.js';

const e = (line: string, labels: Record<string, string> = {}): LogEntry => ({ labels, ts: 1n, line });
const lines = (out: LogEntry[]) => out.map((x) => x.line);

function sync(blocks: StageBlock[], env: StageEnv = {}) {
  const drops: string[] = [];
  const stages = buildPipeline(blocks, (r) => drops.push(r), env);
  return { drops, run: (es: LogEntry[]) => runPipeline(stages, es) };
}

describe('stage.limit', () => {
  it('drop = true: a bucket of `burst` tokens refilled at `rate` per second; the excess is dropped as ratelimit_drop_stage', () => {
    let now = 0;
    const { drops, run } = sync([{ name: 'stage.limit', value: { rate: 2, burst: 3, drop: true } }], { now: () => now });
    expect(lines(run(['a', 'b', 'c', 'd', 'e'].map((l) => e(l))))).toEqual(['a', 'b', 'c']);
    expect(drops).toEqual(['ratelimit_drop_stage', 'ratelimit_drop_stage']);
    now += 500; // one token back
    expect(lines(run([e('f'), e('g')]))).toEqual(['f']);
    now += 60_000; // refilled, but never beyond burst
    expect(run(['1', '2', '3', '4'].map((l) => e(l))).length).toBe(3);
  });

  it('by_label_name: one bucket per label value, entries without the label pass, drops are counted by label', () => {
    const byLabel: string[] = [];
    const env: StageEnv = { now: () => 0, dropsByLabel: { inc: (n, v) => byLabel.push(`${n}=${v}`), reset: () => {} } };
    const { drops, run } = sync([{ name: 'stage.limit', value: { rate: 1, burst: 1, drop: true, by_label_name: 'namespace' } }], env);
    const out = run([e('a1', { namespace: 'a' }), e('a2', { namespace: 'a' }), e('b1', { namespace: 'b' }), e('x1'), e('x2')]);
    expect(lines(out)).toEqual(['a1', 'b1', 'x1', 'x2']);
    expect(drops).toEqual(['ratelimit_drop_stage']);
    expect(byLabel).toEqual(['namespace=a']);
  });

  it('max_distinct_labels below 10000 is raised to it with a warning', () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: object, msg: string) => warnings.push(msg), debug: () => {} };
    sync([{ name: 'stage.limit', value: { rate: 1, burst: 1, drop: true, by_label_name: 'ns', max_distinct_labels: 10 } }], { logger });
    expect(warnings).toEqual(['max_distinct_labels was adjusted up to the minimal reasonable value of 10000']);
  });

  it('max_distinct_labels bounds the tracked values: reaching it starts a new generation and resets the by-label counter', () => {
    let resets = 0;
    const env: StageEnv = { now: () => 0, dropsByLabel: { inc: () => {}, reset: () => resets++ } };
    const { run } = sync([{ name: 'stage.limit', value: { rate: 1, burst: 1, drop: true, by_label_name: 'ns', max_distinct_labels: 10_001 } }], env);
    run(Array.from({ length: 10_000 }, (_, i) => e('x', { ns: `n${i}` })));
    expect(resets).toBe(0);
    run([e('x', { ns: 'n10000' })]);
    expect(resets).toBe(1);
    // n0's bucket (empty) survived in the old generation: still limited.
    expect(run([e('x', { ns: 'n0' })])).toEqual([]);
  });

  it('the two-generation map forgets keys unused for a generation and resets the by-label counter on rotation', () => {
    let created = 0;
    let rotations = 0;
    const m = new GenerationalMap(2, () => ++created, () => rotations++);
    expect([m.getOrCreate('a'), m.getOrCreate('b')]).toEqual([1, 2]); // new generation full: rotates
    expect(rotations).toBe(1);
    expect(m.getOrCreate('a')).toBe(1); // found in the old generation
    expect(m.getOrCreate('c')).toBe(3); // rotates again: b is gone
    expect(m.getOrCreate('b')).toBe(4);
    expect(rotations).toBe(2);
  });

  it('drop = false: an entry waits for its token, so push (append) resolves later (backpressure)', async () => {
    const got: LogEntry[] = [];
    const r = new StageRunner(buildPipeline([{ name: 'stage.limit', value: { rate: 10, burst: 1 } }], () => {}), async (es) => void got.push(...es), () => {});
    r.start();
    const t0 = Date.now();
    let done = false;
    const p = r.push([e('a'), e('b'), e('c')]).then(() => (done = true));
    await new Promise((res) => setImmediate(res));
    expect(done).toBe(false);
    await p;
    // Two entries waited 1/10 s each; timers never fire early by more than rounding.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    expect(lines(got)).toEqual(['a', 'b', 'c']);
  });

  it('stopping the pipeline releases waiting entries instead of losing them', async () => {
    const got: LogEntry[] = [];
    const r = new StageRunner(buildPipeline([{ name: 'stage.limit', value: { rate: 0.001, burst: 1 } }], () => {}), async (es) => void got.push(...es), () => {});
    r.start();
    const p = r.push([e('a'), e('b')]); // b would wait 1000 s
    await new Promise((res) => setImmediate(res));
    await r.stop();
    await p;
    expect(lines(got)).toEqual(['a', 'b']);
  });

  it('token bucket reservations go into debt and report the wait', () => {
    let now = 0;
    const b = new TokenBucket(10, 2, () => now);
    expect([b.reserve(), b.reserve()]).toEqual([0, 0]);
    expect(b.reserve()).toBeCloseTo(100);
    now = 100;
    expect(b.allow()).toBe(false); // the debt was just paid off: no token yet
    now = 200;
    expect(b.allow()).toBe(true);
  });

  it('rejects bad configuration naming the stage', () => {
    const build = (v: Record<string, unknown>) => () => buildPipeline([{ name: 'stage.limit', value: v }], () => {});
    expect(build({ rate: 0, burst: 1 })).toThrow(/stage.limit \(stage 1\): limit stage failed to parse rate or burst/);
    expect(build({ rate: 1, burst: 0 })).toThrow(/failed to parse rate or burst/);
    expect(build({ rate: 1, burst: 1.5 })).toThrow(/burst must be an integer/);
    expect(build({ rate: 1, burst: 1, by_label_name: 'ns' })).toThrow(/when ratelimiting by label, drop must be true/);
  });
});

describe('stage.sampling', () => {
  it('keeps an entry when the random draw is below rate; counts the rest with drop_counter_reason', () => {
    const draws = [0.1, 0.6, 0.24, 0.25];
    const { drops, run } = sync([{ name: 'stage.sampling', value: { rate: 0.25, drop_counter_reason: 'logs_sampling' } }], { random: () => draws.shift()! });
    expect(lines(run(['a', 'b', 'c', 'd'].map((l) => e(l))))).toEqual(['a', 'c']);
    expect(drops).toEqual(['logs_sampling', 'logs_sampling']);
  });

  it('rate 0 drops everything (default reason sampling_stage), rate 1 keeps everything', () => {
    const none = sync([{ name: 'stage.sampling', value: { rate: 0 } }], { random: () => 0 });
    expect(none.run([e('a')])).toEqual([]);
    expect(none.drops).toEqual(['sampling_stage']);
    const all = sync([{ name: 'stage.sampling', value: { rate: 1 } }], { random: () => 0.999999 });
    expect(all.run([e('a')]).length).toBe(1);
  });

  it('samples about `rate` of the entries with the real random source', () => {
    const { run } = sync([{ name: 'stage.sampling', value: { rate: 0.5 } }]);
    const kept = run(Array.from({ length: 2000 }, (_, i) => e(String(i)))).length;
    expect(kept).toBeGreaterThan(800); // 9 standard deviations either side
    expect(kept).toBeLessThan(1200);
  });

  it('rejects a rate outside [0, 1] naming the stage', () => {
    expect(() => buildPipeline([{ name: 'stage.sampling', value: { rate: 1.5 } }], () => {})).toThrow(
      /stage.sampling \(stage 1\): sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0, received 1.500000/,
    );
  });
});
