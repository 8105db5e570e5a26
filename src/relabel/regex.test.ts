// The regex wrapper: fast paths agree with RE2, Go template expansion, cache.
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { RelabelRegex, Template } from './regex.js';

const anchored = (src: string) => RE2JS.compile(`^(?s:${src})$`);

describe('RelabelRegex fast paths agree with RE2', () => {
  const sources = ['(.*)', '.*', '(.+)', 'ab', '', 'a|b|ab', 'Succeeded|Failed', 'x_y-z:1'];
  const input = fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'x', '_', 'é', 'S', 'F'), maxLength: 6 });

  test.each(sources)('%s', (src) => {
    const ours = new RelabelRegex(src);
    const ref = anchored(src);
    fc.assert(
      fc.property(input, (s) => {
        expect(ours.matches(s)).toBe(ref.testExact(s));
        const m = ref.matcher(s);
        const groups = m.matches() ? Array.from({ length: ref.groupCount() + 1 }, (_, i) => m.group(i) ?? '') : null;
        expect(ours.match(s)).toEqual(groups);
      }),
      { numRuns: 200 },
    );
  });

  test('general path: results stay correct past the cache limit', () => {
    const re = new RelabelRegex('v([0-9]+)');
    for (let i = 0; i < 3000; i++) {
      expect(re.match(`v${i}`)).toEqual([`v${i}`, String(i)]);
      expect(re.matches(`w${i}`)).toBe(false);
    }
    expect(re.match('v7')).toEqual(['v7', '7']);
  });

  test('groups and names are reported', () => {
    const re = new RelabelRegex('(a)(?P<x>b)(?<y>c)');
    expect(re.groupCount).toBe(3);
    expect(Object.fromEntries(re.names)).toEqual({ x: 2, y: 3 });
  });
});

describe('Template (Go Regexp.Expand)', () => {
  const re = new RelabelRegex('(?P<first>a)(b)?(c)');
  const groups = re.match('ac')!;
  test.each([
    ['$1', 'a'],
    ['${1}', 'a'],
    ['$first', 'a'],
    ['${first}', 'a'],
    ['$2', ''], // optional group that did not take part
    ['$3', 'c'],
    ['$9', ''], // no such group
    ['$1x', ''], // group named "1x"
    ['${1}x', 'ax'],
    ['$$', '$'],
    ['$$1', '$1'],
    ['$', '$'],
    ['${', '${'],
    ['${}', '${}'],
    ['${1', '${1'],
    ['a$-b', 'a$-b'],
    ['$01', ''], // leading zero: a name, not a number
    ['${first}_${3}', 'a_c'],
    ['plain', 'plain'],
    ['', ''],
  ])('%j -> %j', (tpl, want) => {
    expect(new Template(tpl, re).expand(groups)).toBe(want);
  });

  test('constant templates are recognised', () => {
    expect(new Template('job', re).isConstant).toBe(true);
    expect(new Template('$$', re).isConstant).toBe(true);
    expect(new Template('x$1', re).isConstant).toBe(false);
  });
});
