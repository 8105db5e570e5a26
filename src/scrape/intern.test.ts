import { StringInterner } from './intern.js';

// Distinct string objects with equal text (what a structured clone yields).
function fresh(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

describe('StringInterner', () => {
  it('replaces equal texts by the first copy seen, in place', () => {
    const i = new StringInterner();
    const a = i.internAll([fresh('job'), fresh('node'), fresh('instance'), fresh('a:1')]);
    const b = [fresh('job'), fresh('node'), fresh('instance'), fresh('b:2')];
    const out = i.internAll(b);
    expect(out).toBe(b);
    expect(b).toEqual(['job', 'node', 'instance', 'b:2']);
    expect(i.size).toBe(5);
    // Same texts, so this only checks contents; identity is what saves memory and is not observable here.
    expect(a.slice(0, 3)).toEqual(b.slice(0, 3));
  });

  it('starts over when full instead of growing without bound', () => {
    const i = new StringInterner(4);
    for (let k = 0; k < 10; k++) i.internAll([`n${k}`, `v${k}`]);
    expect(i.size).toBeLessThanOrEqual(4);
    expect(i.internAll(['x', 'y'])).toEqual(['x', 'y']);
  });
});
