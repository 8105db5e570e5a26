import { KubeOpenRetry } from './kube-open-retry.js';

function harness(failures: number) {
  const health: string[] = [];
  const opened: string[] = [];
  let calls = 0;
  let wanted = true;
  const r = new KubeOpenRetry({
    minBackoffMs: 5,
    what: 'PrometheusRules',
    setHealth: (_h, m) => health.push(m),
    logger: { warn: () => undefined },
    open: (key) => {
      if (calls++ < failures) throw new Error(`no kubeconfig for ${key}`);
    },
    opened: () => opened.push('opened'),
    wanted: () => wanted,
  });
  return { r, health, opened, calls: () => calls, stopWanting: () => (wanted = false) };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a failing open reports the reason, retries with backoff and calls opened once it succeeds', async () => {
  const h = harness(2);
  h.r.attempt('k1');
  expect(h.r.key).toBe('k1');
  expect(h.r.error).toBe('no kubeconfig for k1');
  expect(h.health[0]).toMatch(/^cannot watch PrometheusRules \(retrying in \d+ ms\): no kubeconfig for k1$/);
  for (let i = 0; i < 100 && h.opened.length === 0; i++) await settle(10);
  expect(h.calls()).toBe(3);
  expect(h.opened).toEqual(['opened']);
  expect(h.r.key).toBeUndefined();
  expect(h.health).toHaveLength(2);
});

test('an immediate success leaves nothing pending; cancel and an unwanted key stop the retries', async () => {
  const ok = harness(0);
  ok.r.attempt('k');
  expect(ok.r.key).toBeUndefined();
  expect(ok.opened).toEqual([]); // the caller handles a first-attempt success

  const cancelled = harness(10);
  cancelled.r.attempt('k');
  cancelled.r.cancel();
  await settle(60);
  expect(cancelled.calls()).toBe(1);

  const stopped = harness(10);
  stopped.r.attempt('k');
  stopped.stopWanting();
  await settle(60);
  expect(stopped.calls()).toBe(1);
});
