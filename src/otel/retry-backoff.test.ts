// retry_on_failure's timing on the project's backoff helper: the interval
// grows by `multiplier` up to max_interval and is spread by
// randomization_factor over [i - f*i, i + f*i], as the Collector does.
import { Backoff } from '../net/backoff.js';

test('multiplier growth, capped, with proportional randomization', () => {
  const lo = new Backoff({ minMs: 100, maxMs: 1000, multiplier: 1.5, jitter: 'proportional', randomizationFactor: 0.5, random: () => 0 });
  expect([lo.next(), lo.next(), lo.next()]).toEqual([50, 75, 112.5]);
  const hi = new Backoff({ minMs: 100, maxMs: 1000, multiplier: 1.5, jitter: 'proportional', randomizationFactor: 0.5, random: () => 1 });
  expect([hi.next(), hi.next(), hi.next()]).toEqual([150, 225, 337.5]);
  const exact = new Backoff({ minMs: 100, maxMs: 300, multiplier: 2, jitter: 'proportional', randomizationFactor: 0 });
  expect([exact.next(), exact.next(), exact.next(), exact.next()]).toEqual([100, 200, 300, 300]);
  // The default multiplier is still 2 for the other users of the helper.
  const dflt = new Backoff({ minMs: 10, maxMs: 1000 });
  expect([dflt.next(), dflt.next(), dflt.next()]).toEqual([10, 20, 40]);
});
