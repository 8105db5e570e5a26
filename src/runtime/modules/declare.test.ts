import { gatherMetrics } from '../component-metrics.js';
import { builds, loadError, newController, registerTestComponents } from '../../../e2e/lib/modules-support.js';

registerTestComponents();

const ADD = `declare "add" {
  argument "a" {
    comment = "first"
  }
  argument "b" {
    optional = true
    default  = 10
  }
  argument "c" {
    optional = true
  }
  testing.value "sum" {
    value = argument.a.value + argument.b.value
  }
  export "sum" {
    value = testing.value.sum.output
  }
  export "c_is_null" {
    value = argument.c.value == null
  }
}
`;

describe('declare / argument / export', () => {
  test('arguments with defaults and optional ones, exports read as name.label.export', async () => {
    const c = newController();
    await c.load(ADD + 'add "x" {\n  a = 1\n  b = 2\n}\nadd "y" {\n  a = 5\n}\ntesting.value "use" {\n  value = [add.x.sum, add.y.sum, add.y.c_is_null]\n}\n', 'm.alloy');
    expect(c.view('add.x')!.exports).toEqual({ sum: 3, c_is_null: true });
    expect(c.view('add.y')!.exports.sum).toBe(15);
    expect(c.view('testing.value.use')!.exports.output).toEqual([3, 15, true]);
    // The body's components are listed under "<instance id>/<inner id>".
    const ids = c.list().map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['add.x', 'add.x/testing.value.sum', 'add.y/testing.value.sum', 'testing.value.use']));
    const inner = c.view('add.x/testing.value.sum')!;
    expect(inner).toMatchObject({ localId: 'testing.value.sum', moduleId: 'add.x', health: { state: 'healthy' } });
    expect(inner.arguments).toEqual({ value: 3 });
    await c.stop();
  });

  test('inner components carry component_path = the module path in their metrics', async () => {
    const c = newController();
    await c.load(ADD + 'add "x" {\n  a = 1\n}\n', 'm.alloy');
    const text = await gatherMetrics(c.componentRegistries());
    expect(text).toContain('testing_value_updates_total{component_id="testing.value.sum",component_path="/add.x"} 1');
    await c.stop();
  });

  test('a reload that changes one instance re-evaluates it; the other keeps its components and state', async () => {
    const c = newController();
    const tail = (a: number) => `add "x" {\n  a = ${a}\n}\nadd "y" {\n  a = 1\n}\ntesting.value "use" {\n  value = add.x.sum\n}\n`;
    await c.load(ADD + tail(1), 'r.alloy');
    const yState = c.view('add.y/testing.value.sum')!.debugInfo;
    const xState = c.view('add.x/testing.value.sum')!.debugInfo;
    const yBuilds = builds['add.y/testing.value.sum'];
    await c.load(ADD + tail(7), 'r.alloy');
    expect(c.view('testing.value.use')!.exports.output).toBe(17);
    expect(c.view('add.y/testing.value.sum')!.debugInfo).toBe(yState);
    expect(c.view('add.x/testing.value.sum')!.debugInfo).toBe(xState); // updated, not rebuilt
    expect(builds['add.y/testing.value.sum']).toBe(yBuilds);
    await c.stop();
  });

  test('nested declares: a declare inside a declare, and declares of the enclosing module are visible', async () => {
    const c = newController();
    await c.load(
      `declare "twice" {
  argument "v" {}
  export "out" {
    value = argument.v.value * 2
  }
}
declare "outer" {
  argument "v" {}
  declare "inner" {
    argument "w" {}
    twice "t" {
      v = argument.w.value
    }
    export "out" {
      value = twice.t.out + 1
    }
  }
  inner "i" {
    w = argument.v.value
  }
  export "out" {
    value = inner.i.out
  }
}
outer "o" {
  v = 4
}
`,
      'n.alloy',
    );
    expect(c.view('outer.o')!.exports.out).toBe(9);
    expect(c.view('outer.o/inner.i/twice.t')!.exports.out).toBe(8);
    await c.stop();
  });

  test.each([
    ['a component outside the declare', 'testing.value "outside" {\n  value = 1\n}\ndeclare "d" {\n  testing.value "in" {\n    value = testing.value.outside.output\n  }\n}\nd "x" {}\n', /^bad\.alloy:6:13: reference to "testing\.value\.outside\.output": no component with that name exists in declare "d" \(a declare body sees only its arguments and its own components\)/],
    ['an argument not declared', 'declare "d" {\n  export "e" {\n    value = argument.nope.value\n  }\n}\nd "x" {}\n', /^bad\.alloy:3:13: reference to "argument\.nope\.value": declare "d" has no argument "nope"/],
    ['argument outside a declare', 'testing.value "a" {\n  value = argument.x.value\n}\n', /^bad\.alloy:2:11: reference to "argument\.x\.value": no component with that name exists$/],
    ['a missing required argument', 'declare "d" {\n  argument "a" {}\n}\n\nd "x" {}\n', /^bad\.alloy:5:1: missing required attribute "a"/],
    ['an unknown argument', 'declare "d" {\n  argument "a" {}\n}\nd "x" {\n  a = 1\n  zz = 2\n}\n', /^bad\.alloy:6:3: unrecognized attribute name "zz"/],
    ['an unknown export of an instance', 'declare "d" {\n  export "e" {\n    value = 1\n  }\n}\nd "x" {}\ntesting.value "u" {\n  value = d.x.nope\n}\n', /^bad\.alloy:8:11: component "d\.x" has no export "nope" \(exports: e\)/],
    ['an undeclared custom component', 'nope "x" {}\n', /^bad\.alloy:1:1: unrecognized component name "nope"/],
    ['a duplicate declare', 'declare "d" {}\ndeclare "d" {}\n', /^bad\.alloy:2:1: declare "d" already declared at bad\.alloy:1:1/],
    ['export outside a declare', 'export "e" {\n  value = 1\n}\n', /^bad\.alloy:1:1: export blocks are only allowed inside a declare block/],
    ['a logging block inside a declare', 'declare "d" {\n  logging {}\n}\nd "x" {}\n', /^bad\.alloy:2:3: the logging block is only allowed in the main configuration/],
    ['a declare using itself', 'declare "d" {\n  d "again" {}\n}\nd "x" {}\n', /nested deeper than 32 levels/],
    ['an error inside the body, at its own position', 'declare "d" {\n  testing.value "v" {\n    value = 1 + "a"\n  }\n}\nd "x" {}\n', /^bad\.alloy:3:17: invalid operand/],
  ])('refused with a positioned error: %s', async (_name, src, expected) => {
    expect(await loadError(src)).toMatch(expected);
  });
});

test('exports of an inner component that change at run time reach the components outside', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-decl-')), 'v.txt');
  fs.writeFileSync(file, 'one');
  const c = newController();
  await c.load(
    `declare "reader" {\n  argument "file" {}\n  local.file "f" {\n    filename = argument.file.value\n    poll_frequency = "100ms"\n  }\n  export "content" {\n    value = local.file.f.content\n  }\n}\nreader "r" {\n  file = ${JSON.stringify(file)}\n}\ntesting.value "use" {\n  value = reader.r.content\n}\n`,
    'm.alloy',
  );
  expect(c.view('testing.value.use')!.exports.output).toBe('one');
  fs.writeFileSync(file, 'two');
  const deadline = Date.now() + 15000;
  while (c.view('testing.value.use')!.exports.output !== 'two' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(c.view('testing.value.use')!.exports.output).toBe('two');
  expect(c.view('reader.r')!.exports.content).toBe('two');
  await c.stop();
});

test('an import inside a declare is visible to its body only', async () => {
  const mod = 'declare "inc" {\n  argument "v" {}\n  export "out" {\n    value = argument.v.value + 1\n  }\n}\n';
  const c = newController();
  await c.load(
    `declare "wrap" {\n  import.string "lib" {\n    content = ${JSON.stringify(mod)}\n  }\n  lib.inc "i" {\n    v = 41\n  }\n  export "out" {\n    value = lib.inc.i.out\n  }\n}\nwrap "w" {}\n`,
    'm.alloy',
  );
  expect(c.view('wrap.w')!.exports.out).toBe(42);
  expect(c.view('wrap.w/import.string.lib')!.health.state).toBe('healthy');
  await c.stop();
  expect(await loadError(`declare "wrap" {\n  import.string "lib" {\n    content = ${JSON.stringify(mod)}\n  }\n}\nlib.inc "i" {\n  v = 1\n}\n`)).toMatch(/^bad\.alloy:6:1: unrecognized component name "lib\.inc"/);
});
