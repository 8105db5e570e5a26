import crypto from 'node:crypto';
import { gatherMetrics } from '../component-metrics.js';
import { foreachState } from './foreach.js';
import { loadError, newController, registerTestComponents } from '../../../e2e/lib/modules-support.js';

registerTestComponents();

const ids = (collection: unknown[], o: { id?: string; hash?: boolean } = {}) =>
  foreachState({ collection, var: 'each', id: o.id ?? '', hash_string_id: o.hash ?? false, enable_metrics: false }).children.map((c) => c.id);

describe('foreach child ids (as Alloy names them)', () => {
  test('numbers, strings, bools; duplicates counted', () => {
    expect(ids([1, 1, 'a-b.c', 3.14, true, 'x'])).toEqual(['foreach_1_1', 'foreach_1_2', 'foreach_a_b_c_1', 'foreach_3_140000_1', 'foreach_true_1', 'foreach_x_1']);
  });
  test('id names a field of object items; hash_string_id hashes strings', () => {
    expect(ids([{ name: 'one', port: 1 }, { name: 'two' }], { id: 'name' })).toEqual(['foreach_one_1', 'foreach_two_1']);
    const sha = crypto.createHash('sha256').update('one').digest('hex');
    expect(ids([{ name: 'one' }], { id: 'name', hash: true })).toEqual([`foreach_${sha}_1`]);
    expect(ids(['one'], { hash: true })).toEqual([`foreach_${sha}_1`]);
  });
  test('objects without the id field are hashed whole, the same object to the same id', () => {
    const [a] = ids([{ b: 1, a: 2 }]);
    expect(a).toMatch(/^foreach_[0-9a-f]{64}_1$/);
    expect(ids([{ a: 2, b: 1 }])[0]).toBe(a);
  });
});

const config = (list: string, enableMetrics = false) => `testing.value "list" {
  value = ${list}
}
testing.value "outer" {
  value = "o"
}
foreach "f" {
  collection     = testing.value.list.output
  var            = "each"
  enable_metrics = ${enableMetrics}
  template {
    testing.value "t" {
      value = [each, testing.value.outer.output]
    }
  }
}
`;

describe('foreach', () => {
  test('one sub-pipeline per item; the template sees the item and outer components; a changed collection keeps the children that stay', async () => {
    const c = newController();
    await c.load(config('[1, 2]'), 'f.alloy');
    expect(c.view('foreach.f/foreach_1_1/testing.value.t')!.exports.output).toEqual([1, 'o']);
    expect(c.view('foreach.f/foreach_2_1/testing.value.t')!.exports.output).toEqual([2, 'o']);
    const kept = c.view('foreach.f/foreach_2_1/testing.value.t')!.debugInfo;
    await c.load(config('[2, 3]'), 'f.alloy');
    expect(c.view('foreach.f/foreach_1_1/testing.value.t')).toBeUndefined();
    expect(c.view('foreach.f/foreach_3_1/testing.value.t')!.exports.output).toEqual([3, 'o']);
    expect(c.view('foreach.f/foreach_2_1/testing.value.t')!.debugInfo).toBe(kept);
    expect(c.view('foreach.f')!.health.state).toBe('healthy');
    expect(c.view('foreach.f')!.createdModuleIds).toEqual(['foreach.f/foreach_2_1', 'foreach.f/foreach_3_1']);
    await c.stop();
  });

  test('enable_metrics: off keeps the children out of /metrics; on labels them with the child module path', async () => {
    const off = newController();
    await off.load(config('[1]'), 'f.alloy');
    expect(await gatherMetrics(off.componentRegistries())).not.toContain('foreach.f');
    await off.stop();
    const on = newController();
    await on.load(config('[1]', true), 'f.alloy');
    expect(await gatherMetrics(on.componentRegistries())).toContain('testing_value_updates_total{component_id="testing.value.t",component_path="/foreach.f/foreach_1_1"} 1');
    await on.stop();
  });

  test('a foreach inside a declare sees the declare arguments', async () => {
    const c = newController();
    await c.load(
      'declare "d" {\n  argument "items" {}\n  argument "tag" {}\n  foreach "f" {\n    collection = argument.items.value\n    var = "x"\n    template {\n      testing.value "t" {\n        value = x + argument.tag.value\n      }\n    }\n  }\n}\nd "a" {\n  items = ["p", "q"]\n  tag = "!"\n}\n',
      'f.alloy',
    );
    expect(c.view('d.a/foreach.f/foreach_q_1/testing.value.t')!.exports.output).toBe('q!');
    await c.stop();
  });

  test.each([
    ['no template', 'foreach "f" {\n  collection = []\n  var = "x"\n}\n', /^bad\.alloy:1:1: the block template is missing in the foreach block/],
    ['an outside reference into a template', 'foreach "f" {\n  collection = [1]\n  var = "x"\n  template {\n    testing.value "t" {\n      value = x\n    }\n  }\n}\ntesting.value "o" {\n  value = testing.value.t.output\n}\n', /^bad\.alloy:11:11: reference to "testing\.value\.t\.output": no component with that name exists/],
    ['a bad var', 'foreach "f" {\n  collection = [1]\n  var = "a-b"\n  template {}\n}\n', /^bad\.alloy:1:1: var "a-b" is not a valid identifier/],
  ])('refuses %s', async (_n, src, expected) => {
    expect(await loadError(src)).toMatch(expected);
  });
});

test('foreach is marked experimental: the planner asks checkStability before planning it', async () => {
  const c = newController();
  const asked: string[] = [];
  c.checkStability = (name, level) => {
    asked.push(`${name}:${level}`);
  };
  await c.load('foreach "f" {\n  collection = []\n  var = "x"\n  template {}\n}\n', 'f.alloy');
  expect([...new Set(asked)]).toEqual(['foreach:experimental']);
  await c.stop();
  const strict = newController();
  strict.checkStability = (name, level, pos) => {
    throw new Error(`${pos.file}:${pos.line}:${pos.col}: ${name} is ${level}`);
  };
  await expect(strict.load('testing.value "a" {\n  value = 1\n}\nforeach "f" {\n  collection = []\n  var = "x"\n  template {}\n}\n', 'f.alloy')).rejects.toThrow('f.alloy:4:1: foreach is experimental');
  expect(strict.list()).toEqual([]);
  await strict.stop();
});

test('children that do not evaluate are refused; the previous children keep running and the foreach says why', async () => {
  const c = newController();
  const cfg = (list: string) =>
    `testing.value "list" {\n  value = ${list}\n}\nforeach "f" {\n  collection = testing.value.list.output\n  var = "each"\n  template {\n    testing.value "t" {\n      value = each + 1\n    }\n  }\n}\n`;
  await c.load(cfg('[1]'), 'f.alloy');
  expect(c.view('foreach.f/foreach_1_1/testing.value.t')!.exports.output).toBe(2);
  await c.load(cfg('[1, "x"]'), 'f.alloy');
  const h = c.view('foreach.f')!.health;
  expect(h.state).toBe('unhealthy');
  expect(h.message).toMatch(/^foreach children refused, the previous ones keep running: f\.alloy:9:22: invalid operand/);
  expect(c.view('foreach.f/foreach_1_1/testing.value.t')!.exports.output).toBe(2);
  expect(c.view('foreach.f/foreach_x_1/testing.value.t')).toBeUndefined();
  await c.load(cfg('[1, 5]'), 'f.alloy');
  expect(c.view('foreach.f/foreach_5_1/testing.value.t')!.exports.output).toBe(6);
  expect(c.view('foreach.f')!.health.state).toBe('healthy');
  await c.stop();
});
