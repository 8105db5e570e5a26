import { MemberTable, supersedes } from './members.js';
import type { NodeRecord } from './wire.js';

const r = (name: string, incarnation: number, status: NodeRecord['status'] = 'alive', role: NodeRecord['role'] = 'participant', addr = `${name}:7946`): NodeRecord => ({
  name,
  addr,
  incarnation,
  role,
  status,
});

describe('MemberTable merge rules', () => {
  test('higher incarnation wins; at equal incarnation alive < suspect < dead < left', () => {
    expect(supersedes(r('a', 2), r('a', 1, 'dead'))).toBe(true);
    expect(supersedes(r('a', 1, 'dead'), r('a', 2))).toBe(false);
    expect(supersedes(r('a', 1, 'suspect'), r('a', 1))).toBe(true);
    expect(supersedes(r('a', 1), r('a', 1, 'suspect'))).toBe(false);
    expect(supersedes(r('a', 1, 'dead'), r('a', 1, 'suspect'))).toBe(true);
    expect(supersedes(r('a', 1, 'left'), r('a', 1, 'dead'))).toBe(true);
    expect(supersedes(r('a', 1), r('a', 1))).toBe(false);
  });

  test('applies news, ignores stale and duplicate updates', () => {
    const t = new MemberTable(r('me', 0, 'alive', 'viewer'));
    expect(t.apply(r('a', 3)).kind).toBe('applied');
    expect(t.apply(r('a', 3)).kind).toBe('ignored');
    expect(t.apply(r('a', 2, 'dead')).kind).toBe('ignored');
    expect(t.apply(r('a', 3, 'suspect')).kind).toBe('applied');
    expect(t.get('a')?.status).toBe('suspect');
    expect(t.apply(r('a', 4)).kind).toBe('applied');
    expect(t.get('a')?.status).toBe('alive');
    expect(t.liveOthers().map((m) => m.name)).toEqual(['a']);
    expect(t.liveCount()).toBe(2);
  });

  test('a suspicion or death notice about ourselves is refuted with a higher incarnation', () => {
    const t = new MemberTable(r('me', 5, 'alive', 'participant', 'me:1'));
    expect(t.apply(r('me', 4, 'suspect', 'participant', 'me:1')).kind).toBe('ignored');
    const res = t.apply(r('me', 5, 'suspect', 'participant', 'me:1'));
    expect(res.kind).toBe('refuted');
    expect(t.self()).toMatchObject({ incarnation: 6, status: 'alive' });
    expect(t.apply(r('me', 9, 'dead', 'participant', 'me:1')).kind).toBe('refuted');
    expect(t.self().incarnation).toBe(10);
    // An echo of our own current record is not news.
    expect(t.apply(t.self()).kind).toBe('ignored');
  });

  test('after leaving we never refute', () => {
    const t = new MemberTable(r('me', 0));
    t.updateSelf({ status: 'left' });
    expect(t.apply(r('me', 7, 'dead')).kind).toBe('ignored');
    expect(t.self().status).toBe('left');
  });

  test('in a full sync a remote "dead" is taken as "suspect" for a member we see alive', () => {
    const t = new MemberTable(r('me', 0));
    t.apply(r('a', 2));
    expect(t.apply(r('a', 2, 'dead'), true).kind).toBe('applied');
    expect(t.get('a')?.status).toBe('suspect');
    expect(t.apply(r('a', 2, 'dead')).kind).toBe('applied');
    expect(t.get('a')?.status).toBe('dead');
  });

  test('updateSelf bumps the incarnation; local verdicts use the current one; tombstones are reaped', () => {
    let now = 1000;
    const t = new MemberTable(r('me', 0, 'alive', 'viewer'), () => now);
    expect(t.updateSelf({ role: 'participant' })).toMatchObject({ incarnation: 1, role: 'participant' });
    t.apply(r('a', 3));
    expect(t.mark('a', 'suspect', 3).kind).toBe('applied');
    expect(t.mark('a', 'dead', 3).kind).toBe('applied');
    expect(t.mark('me', 'dead', 1).kind).toBe('ignored');
    now += 500;
    expect(t.reap(1000)).toEqual([]);
    now += 600;
    expect(t.reap(1000)).toEqual(['a']);
    expect(t.get('a')).toBeUndefined();
    expect(t.all().map((m) => m.name)).toEqual(['me']);
  });

  test('httpAddress: carried in records, kept when an older node relays a record without it, never a reason to refute when absent', () => {
    const t = new MemberTable(r('me', 0));
    const me = t.updateSelf({ httpAddress: 'http://me:12345' });
    expect(me).toMatchObject({ incarnation: 1, httpAddress: 'http://me:12345' });
    // An older node echoes our record without the field: no refutation, no new incarnation.
    const { httpAddress: _drop, ...echoed } = me;
    expect(t.apply(echoed).kind).toBe('ignored');
    expect(t.self().incarnation).toBe(1);
    // A stale record of ours (another process) with another HTTP address is refuted.
    expect(t.apply({ ...me, httpAddress: 'http://old:1' }).kind).toBe('refuted');
    expect(t.self()).toMatchObject({ incarnation: 2, httpAddress: 'http://me:12345' });

    t.apply({ ...r('a', 3), httpAddress: 'http://a:1' });
    // Suspicion relayed by an older node (no field), same process: the address stays.
    expect(t.apply(r('a', 3, 'suspect')).kind).toBe('applied');
    expect(t.get('a')).toMatchObject({ status: 'suspect', httpAddress: 'http://a:1' });
    expect(t.all().find((m) => m.name === 'a')?.httpAddress).toBe('http://a:1');
    // A new process at another gossip address does not inherit it.
    t.apply(r('a', 4, 'alive', 'participant', 'a:9999'));
    expect(t.get('a')?.httpAddress).toBeUndefined();
  });

  test('digest: the same live view gives the same digest in any order; any incarnation or role change, join or death changes it', () => {
    const t1 = new MemberTable(r('me', 0));
    const t2 = new MemberTable(r('b', 1));
    t1.apply(r('b', 1));
    t1.apply(r('c', 2));
    t2.apply(r('c', 2));
    t2.apply(r('me', 0));
    expect(t1.digest()).toBe(t2.digest());
    const d = t1.digest();
    // A suspicion is transient: same digest.
    t1.apply(r('c', 2, 'suspect'));
    expect(t1.digest()).toBe(d);
    t1.apply(r('c', 3));
    expect(t1.digest()).not.toBe(d);
    const d3 = t1.digest();
    t1.apply(r('c', 4, 'alive', 'viewer'));
    expect(t1.digest()).not.toBe(d3);
    const d4 = t1.digest();
    t1.apply(r('c', 4, 'dead', 'viewer'));
    expect(t1.digest()).not.toBe(d4);
    const d5 = t1.digest();
    t1.apply(r('e', 0));
    expect(t1.digest()).not.toBe(d5);
    t1.updateSelf({ role: 'viewer' });
    expect(t1.digest()).not.toBe(d5);
    expect(Number.isInteger(t1.digest()) && t1.digest() >= 0 && t1.digest() < 2 ** 32).toBe(true);
  });
});
