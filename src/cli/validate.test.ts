import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigSources } from '../runtime/config-files.js';
import { validateConfig } from './validate.js';

const src = (name: string, source: string) => ({ name, source });

describe('validateConfig', () => {
  test('a valid config has no errors', () => {
    expect(validateConfig([src('a.alloy', 'prometheus.relabel "x" {\n\tforward_to = []\n}\n')], 'a.alloy', 'generally-available')).toEqual([]);
  });

  test('syntax errors of every file are reported', () => {
    const errors = validateConfig([src('a.alloy', 'x {\n'), src('b.alloy', 'y = \n')], 'dir', 'generally-available');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^a\.alloy:\d+:\d+: /);
    expect(errors[1]).toMatch(/^b\.alloy:\d+:\d+: /);
  });

  test('argument errors of several components, positioned in their file', () => {
    const errors = validateConfig(
      [
        src('a.alloy', 'prometheus.relabel "x" {\n\tforward_to = []\n\tmax_cache_size = "big"\n}\n'),
        src('b.alloy', 'prometheus.relabel "y" {\n\tforward_to = [prometheus.relabel.x.receiver]\n\trule {\n\t\taction = "explode"\n\t}\n}\n'),
      ],
      'dir',
      'generally-available',
    );
    expect(errors[0]).toBe('a.alloy:3:19: max_cache_size: expected number, got string "big" that is not a number');
    expect(errors[1]).toMatch(/^b\.alloy:3:2: .*explode/);
  });

  test('graph errors: unknown components and references, duplicates across files', () => {
    expect(validateConfig([src('a.alloy', 'nope.thing "x" {\n}\n')], 'a', 'generally-available')).toEqual(['a.alloy:1:1: unrecognized component name "nope.thing"']);
    const dup = 'prometheus.relabel "x" {\n\tforward_to = []\n}\n';
    expect(validateConfig([src('a.alloy', dup), src('b.alloy', dup)], 'd', 'generally-available')).toEqual(['b.alloy:1:1: component "prometheus.relabel.x" already declared at a.alloy:1:1']);
  });

  test('stability level and config blocks', () => {
    const cfg = 'prometheus.relabel "x" {\n\tforward_to = []\n\trule {\n\t\ttarget_label = string.join(array.group_by([], "a", true), "")\n\t\treplacement = "x"\n\t}\n}\n';
    expect(validateConfig([src('a.alloy', cfg)], 'a', 'generally-available')[0]).toMatch(/^a\.alloy:4:30: array\.group_by is at stability level "experimental"/);
    expect(validateConfig([src('a.alloy', 'logging {\n\tlevel = "loud"\n}\n')], 'a', 'generally-available')).toEqual([
      'a.alloy:2:10: logging: level: unknown value "loud" (allowed: debug, info, warn, error)',
    ]);
  });
});

describe('readConfigSources', () => {
  test('a directory: its *.alloy files in name order, not its subdirectories', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-dir-'));
    fs.writeFileSync(path.join(dir, 'b.alloy'), 'b');
    fs.writeFileSync(path.join(dir, 'a.alloy'), 'a');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'c.alloy'), 'c');
    expect(readConfigSources(dir)).toEqual([
      { name: path.join(dir, 'a.alloy'), source: 'a' },
      { name: path.join(dir, 'b.alloy'), source: 'b' },
    ]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-empty-'));
    expect(() => readConfigSources(empty)).toThrow('no *.alloy files in this directory');
    fs.rmSync(dir, { recursive: true });
    fs.rmSync(empty, { recursive: true });
  });
});
