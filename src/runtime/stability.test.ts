import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { parse } from '../syntax/parser.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { Controller } from './controller.js';
import { getComponent, registerComponent } from './registry.js';
import { CONFIG_BLOCK_STABILITY, checkStability, deprecatedFunctionUses, parseStabilityLevel, permits, stabilityError, type StabilityLevel } from './stability.js';
import { t, type ComponentDefinition } from './types.js';

// Test-only component kinds: one experimental, one GA with an experimental argument and block.
const experimental: ComponentDefinition = {
  name: 'testing.experimental_thing',
  stability: 'experimental',
  args: { attrs: { value: { type: t.any() } } },
  exports: { output: t.any() },
  build: (ctx) => ({ update: (a: { value: unknown }) => ctx.setExports({ output: a.value }) }),
};
const preview: ComponentDefinition = { ...experimental, name: 'testing.preview_thing', stability: 'public-preview' };
const mixed: ComponentDefinition = {
  name: 'testing.mixed',
  args: {
    attrs: { ga: { type: t.string() }, shiny: { type: t.bool(), stability: 'experimental' } },
    blocks: { fancy: { schema: { attrs: { x: { type: t.number() } } }, stability: 'public-preview' }, plain: { schema: { attrs: { y: { type: t.number(), stability: 'experimental' } } } } },
  },
  exports: {},
  build: () => ({ update: () => undefined }),
};
for (const def of [experimental, preview, mixed]) if (!getComponent(def.name)) registerComponent(def);

function check(src: string, min: StabilityLevel): string | undefined {
  try {
    checkStability(parse(src, 'st.alloy').body, min);
    return undefined;
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return e.message;
  }
}

describe('levels', () => {
  test('parse and order', () => {
    expect(parseStabilityLevel('public-preview')).toBe('public-preview');
    expect(() => parseStabilityLevel('beta')).toThrow('invalid stability level "beta" (allowed: generally-available, public-preview, experimental)');
    expect(permits('generally-available', 'experimental')).toBe(false);
    expect(permits('public-preview', 'public-preview')).toBe(true);
    expect(permits('public-preview', 'experimental')).toBe(false);
    expect(permits('experimental', 'experimental')).toBe(true);
    expect(permits('experimental', 'generally-available')).toBe(true);
  });

  test("Alloy's message names the feature, its level, the minimum and the flag", () => {
    expect(stabilityError('component "x.y"', 'experimental', 'generally-available')).toBe(
      'component "x.y" is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    );
  });
});

describe('checkStability', () => {
  test('components', () => {
    const src = 'testing.experimental_thing "a" {\n}\n';
    expect(check(src, 'generally-available')).toBe(
      'st.alloy:1:1: component "testing.experimental_thing" is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    );
    expect(check(src, 'public-preview')).toMatch(/^st\.alloy:1:1: component "testing\.experimental_thing" is at stability level "experimental"/);
    expect(check(src, 'experimental')).toBeUndefined();
    expect(check('testing.preview_thing "a" {\n}\n', 'generally-available')).toMatch(/stability level "public-preview"/);
    expect(check('testing.preview_thing "a" {\n}\n', 'public-preview')).toBeUndefined();
    expect(check('prometheus.relabel "a" {\n  forward_to = []\n}\n', 'generally-available')).toBeUndefined();
  });

  test('arguments and blocks of a component', () => {
    expect(check('testing.mixed "a" {\n  ga = "x"\n  shiny = true\n}\n', 'generally-available')).toMatch(
      /^st\.alloy:3:3: argument "shiny" of component "testing\.mixed" is at stability level "experimental"/,
    );
    expect(check('testing.mixed "a" {\n  fancy {\n    x = 1\n  }\n}\n', 'generally-available')).toMatch(/^st\.alloy:2:3: block "fancy" of component "testing\.mixed" is at stability level "public-preview"/);
    expect(check('testing.mixed "a" {\n  fancy {\n    x = 1\n  }\n}\n', 'public-preview')).toBeUndefined();
    expect(check('testing.mixed "a" {\n  plain {\n    y = 1\n  }\n}\n', 'public-preview')).toMatch(/^st\.alloy:3:5: argument "y" of component "testing\.mixed"/);
    expect(check('testing.mixed "a" {\n  ga = "x"\n}\n', 'generally-available')).toBeUndefined();
  });

  test('stdlib functions Alloy marks experimental, wherever they are used', () => {
    const src = 'testing.mixed "a" {\n  ga = string.format("%v", array.group_by([], "k", true))\n}\n';
    expect(check(src, 'generally-available')).toBe(
      'st.alloy:2:28: array.group_by is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    );
    expect(check(src, 'experimental')).toBeUndefined();
    expect(check('testing.mixed "a" {\n  plain {\n    y = length(array.combine_maps([], [], ["a"]))\n  }\n}\n', 'generally-available')).toMatch(/^st\.alloy:3:16: array\.combine_maps is at/);
    expect(check('testing.mixed "a" {\n  ga = string.join(array.concat(["a"]), "")\n}\n', 'generally-available')).toBeUndefined();
  });

  test('inside blocks that are not components (declare bodies, templates)', () => {
    const src = 'declare "mod" {\n  testing.experimental_thing "inner" {\n  }\n}\n';
    expect(check(src, 'generally-available')).toMatch(/^st\.alloy:2:3: component "testing\.experimental_thing"/);
  });

  test('config blocks registered as not generally available', () => {
    CONFIG_BLOCK_STABILITY['testing_block'] = 'experimental';
    try {
      expect(check('testing_block "x" {\n}\n', 'public-preview')).toMatch(/^st\.alloy:1:1: config block "testing_block" is at stability level "experimental"/);
      expect(check('testing_block "x" {\n}\n', 'experimental')).toBeUndefined();
    } finally {
      delete CONFIG_BLOCK_STABILITY['testing_block'];
    }
  });
});

describe('the controller refuses a config above its level', () => {
  const newController = (minStability?: StabilityLevel) =>
    new Controller({
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-stab-')),
      cluster: new StandaloneOwnership('n1'),
      minStability,
    });

  test('default generally-available refuses; experimental runs it', async () => {
    const src = 'testing.experimental_thing "a" {\n  value = array.group_by([{k = "v"}], "k", true)\n}\n';
    const ga = newController();
    await expect(ga.load(src, 'c.alloy')).rejects.toThrow(/^c\.alloy:1:1: component "testing\.experimental_thing" is at stability level "experimental"/);
    await ga.stop();
    const exp = newController('experimental');
    await exp.load(src, 'c.alloy');
    expect(exp.view('testing.experimental_thing.a')?.exports.output).toEqual([{ k: 'v', items: [{ k: 'v' }] }]);
    await exp.stop();
  });
});

describe('deprecated stdlib names', () => {
  test('each use with its replacement and position', () => {
    const body = parse('testing.mixed "a" {\n  ga = env("HOME")\n  plain {\n    y = length(json_decode("[]"))\n  }\n}\n', 'd.alloy').body;
    expect(deprecatedFunctionUses(body)).toEqual([
      { name: 'env', replacement: 'sys.env', pos: { file: 'd.alloy', line: 2, col: 8 } },
      { name: 'json_decode', replacement: 'encoding.from_json', pos: { file: 'd.alloy', line: 4, col: 16 } },
    ]);
    expect(deprecatedFunctionUses(parse('testing.mixed "a" {\n  ga = sys.env("HOME")\n}\n', 'd.alloy').body)).toEqual([]);
  });
});
