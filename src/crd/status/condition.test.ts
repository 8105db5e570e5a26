// The Accepted condition patch: shape, transition time kept while the
// status holds, no patch when the resource already says it.
import { statusPatch } from './condition.js';

const T0 = new Date('2026-01-01T00:00:00.123Z');
const T1 = new Date('2026-01-02T00:00:00Z');

test('accepted: True with reason, observed generation and targets; other conditions kept', () => {
  const p = statusPatch({ namespace: 'n', name: 'x', generation: 3, accepted: true, targets: 4, current: { conditions: [{ type: 'Other', status: 'True' }] } }, T0);
  expect(p).toEqual({
    status: {
      conditions: [{ type: 'Other', status: 'True' }, { type: 'Accepted', status: 'True', reason: 'Accepted', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }],
      observedTargets: 4,
    },
  });
});

test('rejected: False with InvalidConfiguration and the message; the time moves only on a flip', () => {
  const ok = statusPatch({ namespace: 'n', name: 'x', generation: 1, accepted: true, targets: 1 }, T0)!.status;
  const bad = statusPatch({ namespace: 'n', name: 'x', generation: 2, accepted: false, message: 'spec.x: bad', current: ok }, T1)!.status;
  expect(bad.conditions).toEqual([{ type: 'Accepted', status: 'False', reason: 'InvalidConfiguration', message: 'spec.x: bad', lastTransitionTime: '2026-01-02T00:00:00Z', observedGeneration: 2 }]);
  const again = statusPatch({ namespace: 'n', name: 'x', generation: 3, accepted: false, message: 'spec.x: worse', current: bad }, new Date('2026-01-03T00:00:00Z'))!.status;
  expect((again.conditions[0] as { lastTransitionTime: string }).lastTransitionTime).toBe('2026-01-02T00:00:00Z');
});

test('no patch when nothing changed; a new target count or generation is a change', () => {
  const cur = statusPatch({ namespace: 'n', name: 'x', generation: 1, accepted: true, targets: 2 }, T0)!.status;
  expect(statusPatch({ namespace: 'n', name: 'x', generation: 1, accepted: true, targets: 2, current: cur }, T1)).toBeUndefined();
  expect(statusPatch({ namespace: 'n', name: 'x', generation: 1, accepted: true, targets: 3, current: cur }, T1)?.status.observedTargets).toBe(3);
  expect(statusPatch({ namespace: 'n', name: 'x', generation: 2, accepted: true, targets: 2, current: cur }, T1)).toBeDefined();
});
