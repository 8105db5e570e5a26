import { matchLabels, parseFieldSelectorTerms, parseLabelSelector, SelectorSyntaxError } from './selectors.js';

describe('parseLabelSelector', () => {
  test('every operator parses into its requirement', () => {
    expect(parseLabelSelector('a=1, b==2, c!=3, d in (x, y), e notin (z,), f, !g, h>3, i<-1, j=')).toEqual([
      { key: 'a', op: '=', value: '1' },
      { key: 'b', op: '=', value: '2' },
      { key: 'c', op: '!=', value: '3' },
      { key: 'd', op: 'in', values: ['x', 'y'] },
      { key: 'e', op: 'notin', values: ['z', ''] },
      { key: 'f', op: 'exists' },
      { key: 'g', op: '!' },
      { key: 'h', op: 'gt', value: 3 },
      { key: 'i', op: 'lt', value: -1 },
      { key: 'j', op: '=', value: '' },
    ]);
    expect(parseLabelSelector('  ')).toEqual([]);
    expect(parseLabelSelector('w in ()')).toEqual([{ key: 'w', op: 'in', values: [''] }]);
  });

  test('bad syntax throws SelectorSyntaxError with the reason', () => {
    const reason = (s: string) => {
      try {
        parseLabelSelector(s);
      } catch (e) {
        expect(e).toBeInstanceOf(SelectorSyntaxError);
        return (e as SelectorSyntaxError).reason;
      }
      throw new Error(`${s} parsed`);
    };
    expect(reason('a=1,')).toMatch(/expected a label key, found the end/);
    expect(reason('a in (x')).toMatch(/missing '\)' after the in list/);
    expect(reason('a in x')).toMatch(/expected '\(' after in/);
    expect(reason('a>b')).toMatch(/must be an integer/);
    expect(reason('a b')).toMatch(/unexpected "b" after key "a"/);
    expect(reason('a=b=c')).toMatch(/expected ','/);
    expect(reason('Bad.Prefix/x=1')).toMatch(/prefix must be a DNS subdomain/);
  });

  test('matchLabels: != and notin match absent keys; gt/lt need integer labels', () => {
    const m = (s: string, l: Record<string, string>) => matchLabels(parseLabelSelector(s), l);
    expect(m('a!=1,b notin (x)', {})).toBe(true);
    expect(m('a in (1)', {})).toBe(false);
    expect(m('n>3', { n: 'x' })).toBe(false);
    expect(m('n>3,n<10', { n: '5' })).toBe(true);
  });
});

describe('parseFieldSelectorTerms', () => {
  test('splits on unescaped commas, resolves escapes, skips empty terms', () => {
    expect(parseFieldSelectorTerms('spec.nodeName=a\\,b,,status.phase!=Failed,metadata.name==x\\=y\\\\')).toEqual([
      { field: 'spec.nodeName', op: '=', value: 'a,b' },
      { field: 'status.phase', op: '!=', value: 'Failed' },
      { field: 'metadata.name', op: '=', value: 'x=y\\' },
    ]);
    expect(parseFieldSelectorTerms('')).toEqual([]);
  });

  test('bad terms and values are rejected with the reason', () => {
    expect(() => parseFieldSelectorTerms('a=1,b')).toThrow(expect.objectContaining({ term: 'b', reason: expect.stringMatching(/"b" is not <field>=<value>/) }));
    expect(() => parseFieldSelectorTerms('a=b=c')).toThrow(/unescaped =/);
    expect(() => parseFieldSelectorTerms('a=b\\x')).toThrow(/invalid escape sequence \\x/);
    expect(() => parseFieldSelectorTerms('a=b\\')).toThrow(/unfinished escape/);
  });
});
