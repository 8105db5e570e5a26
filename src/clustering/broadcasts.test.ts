import { BroadcastQueue, retransmitLimit } from './broadcasts.js';
import type { NodeRecord } from './wire.js';

const rec = (name: string, incarnation = 0): NodeRecord => ({ name, addr: `${name}:1`, incarnation, role: 'viewer', status: 'alive' });

describe('BroadcastQueue', () => {
  test('retransmit limit grows with log10 of the member count', () => {
    expect(retransmitLimit(4, 1)).toBe(4);
    expect(retransmitLimit(4, 9)).toBe(4);
    expect(retransmitLimit(4, 10)).toBe(8);
    expect(retransmitLimit(4, 150)).toBe(12);
  });

  test('each update is sent at most `limit` times, least-sent first', () => {
    const q = new BroadcastQueue();
    q.enqueue(rec('a'));
    q.enqueue(rec('b'));
    const sent: string[] = [];
    for (let i = 0; i < 10 && q.size > 0; i++) sent.push(...q.take(1, 3).map((r) => r.name));
    expect(sent.filter((n) => n === 'a')).toHaveLength(3);
    expect(sent.filter((n) => n === 'b')).toHaveLength(3);
    // Alternates: a fresh item never starves behind an often-sent one.
    expect(sent.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(q.size).toBe(0);
  });

  test('a newer update about the same node replaces the queued one and resets its count', () => {
    const q = new BroadcastQueue();
    q.enqueue(rec('a', 1));
    q.take(5, 3);
    q.enqueue(rec('a', 2));
    expect(q.size).toBe(1);
    const out = [q.take(5, 3), q.take(5, 3), q.take(5, 3), q.take(5, 3)];
    expect(out.map((o) => o.length)).toEqual([1, 1, 1, 0]);
    expect(out[0][0].incarnation).toBe(2);
  });
});
