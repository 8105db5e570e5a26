// Pure functions: selector grammar and matching, the three patch flavours.
import fc from 'fast-check';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../src/sandbox/kube/patch.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../../src/sandbox/kube/selectors.js';

describe('label selectors', () => {
  const m = (sel: string, labels: Record<string, string>) => matchLabels(parseLabelSelector(sel), labels);

  test('operators follow the apiserver: != and notin match absent keys', () => {
    expect(m('a=1', { a: '1' })).toBe(true);
    expect(m('a==1', { a: '2' })).toBe(false);
    expect(m('a!=1', {})).toBe(true);
    expect(m('a notin (1,2)', {})).toBe(true);
    expect(m('a in (1,2)', {})).toBe(false);
    expect(m('a in (1, 2),b', { a: '2', b: '' })).toBe(true);
    expect(m('!b', { b: 'x' })).toBe(false);
    expect(m('n>3,n<10', { n: '5' })).toBe(true);
    expect(m('example.com/team=x', { 'example.com/team': 'x' })).toBe(true);
    expect(m('', { any: 'thing' })).toBe(true);
  });

  test('bad syntax is a 400 naming the selector', () => {
    for (const bad of ['a in b', 'a=(', ',', 'a=1,', 'in (x)', 'a notin ()']) {
      expect(() => parseLabelSelector(bad)).toThrow(expect.objectContaining({ code: 400 }));
    }
  });

  test('property: a=v matches exactly the label maps holding v at a', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
    fc.assert(
      fc.property(word, word, fc.dictionary(word, word), (k, v, labels) => {
        expect(m(`${k}=${v}`, labels)).toBe(labels[k] === v);
        expect(m(`${k}!=${v}`, labels)).toBe(labels[k] !== v);
      }),
      { numRuns: 200 },
    );
  });
});

describe('field selectors', () => {
  test('known fields per resource, escapes, unknown field is an error', () => {
    const pod = { metadata: { name: 'p', namespace: 'n' }, spec: { nodeName: 'a,b' }, status: { phase: 'Running' } };
    expect(matchFields(parseFieldSelector('spec.nodeName=a\\,b,status.phase!=Failed', '/pods'), pod)).toBe(true);
    expect(matchFields(parseFieldSelector('metadata.namespace==x', '/pods'), pod)).toBe(false);
    expect(matchFields(parseFieldSelector('type=Opaque', '/secrets'), { type: 'Opaque', metadata: {} })).toBe(true);
    expect(() => parseFieldSelector('spec.nodeName=a', '/configmaps')).toThrow('field label not supported: spec.nodeName');
  });
});

describe('patches', () => {
  test('merge patch (RFC 7386)', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2] })).toEqual({ a: 1, b: { d: 3, x: 1 }, e: [2] });
  });

  test('json patch (RFC 6902) operations and failures', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    expect(
      jsonPatch(doc, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'replace', path: '/b/c', value: 2 },
        { op: 'move', from: '/b/c', path: '/d' },
        { op: 'copy', from: '/d', path: '/e~1f' },
        { op: 'remove', path: '/a/0' },
        { op: 'test', path: '/d', value: 2 },
      ]),
    ).toEqual({ a: [2, 3], b: {}, d: 2, 'e/f': 2 });
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/b/c', value: 9 }])).toThrow(expect.objectContaining({ code: 422 }));
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/zz' }])).toThrow(/missing key/);
  });

  test('strategic merge: keyed lists, directives, atomic lists', () => {
    const live = {
      metadata: { finalizers: ['a'] },
      spec: {
        containers: [
          { name: 'x', image: 'x:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'y', image: 'y:1' },
        ],
        tolerations: [{ key: 't1' }],
        ports: [{ port: 80, name: 'http' }],
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      },
    };
    const patched = strategicMergePatch(live, {
      metadata: { finalizers: ['b'], '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'y' }, { name: 'x' }],
        containers: [{ name: 'x', env: [{ name: 'B', value: '2' }] }],
        tolerations: [{ key: 't2' }],
        ports: [{ port: 443, name: 'https' }],
        strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
      },
    });
    expect(patched.metadata.finalizers).toEqual(['b']);
    expect(patched.spec.containers.map((c: any) => c.name)).toEqual(['y', 'x']);
    expect(patched.spec.containers[1].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(patched.spec.tolerations).toEqual([{ key: 't2' }]);
    expect(patched.spec.ports.map((p: any) => p.port)).toEqual([80, 443]);
    expect(patched.spec.strategy).toEqual({ type: 'Recreate' });
    expect(strategicMergePatch(live, { spec: { $patch: 'replace', x: 1 } }).spec).toEqual({ x: 1 });
  });
});
