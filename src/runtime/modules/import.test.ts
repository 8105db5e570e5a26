import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builds, loadError, newController, registerTestComponents } from '../../../e2e/lib/modules-support.js';
import { waitFor } from '../../../e2e/lib/wait.js';

registerTestComponents();

const MATH = `declare "add" {
  argument "a" {}
  argument "b" {
    optional = true
    default  = 1
  }
  testing.value "keep" {
    value = argument.a.value
  }
  export "sum" {
    value = argument.a.value + argument.b.value
  }
}
`;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-import-'));

describe('import.string', () => {
  test('makes the module declares usable as namespace.name', async () => {
    const c = newController();
    await c.load(`import.string "math" {\n  content = ${JSON.stringify(MATH)}\n}\nmath.add "x" {\n  a = 2\n}\ntesting.value "use" {\n  value = math.add.x.sum\n}\n`, 's.alloy');
    expect(c.view('testing.value.use')!.exports.output).toBe(3);
    expect(c.view('math.add.x/testing.value.keep')!.exports.output).toBe(2);
    await c.stop();
  });

  test('content from another component (local.file) and a later change of it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'm.alloy');
    fs.writeFileSync(file, MATH);
    const c = newController();
    await c.load(
      `local.file "mod" {\n  filename = ${JSON.stringify(file)}\n  poll_frequency = "100ms"\n}\nimport.string "math" {\n  content = local.file.mod.content\n}\nmath.add "x" {\n  a = 2\n}\n`,
      's.alloy',
    );
    expect(c.view('math.add.x')!.exports.sum).toBe(3);
    fs.writeFileSync(file, MATH.replace('argument.a.value + argument.b.value', 'argument.a.value * 100'));
    await waitFor('math.add.x sum === 200', () => c.view('math.add.x')!.exports.sum === 200, { timeoutMs: 20_000 });
    await c.stop();
  });

  test.each([
    ['a component at the top level of a module', 'testing.value "x" {\n  value = 1\n}\n', /only declare and import blocks are allowed in a module, got testing\.value/],
    ['a declare the module does not have', MATH, /the module imported as "math" has no declare "nope" \(it declares: add\)/, 'nope'],
    ['a syntax error in the module', 'declare "add" {\n  argument "a" {\n}\n', /^import\.string\.math:4:1: /],
  ])('refuses %s', async (_n, content, expected, decl = 'add') => {
    expect(await loadError(`import.string "math" {\n  content = ${JSON.stringify(content)}\n}\nmath.${decl} "x" {\n  a = 1\n}\n`)).toMatch(expected);
  });
});

describe('import.file', () => {
  test('a directory is one module; a module imports another relative to module_path', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'plus.alloy'), 'declare "plus" {\n  argument "a" {}\n  export "out" {\n    value = argument.a.value + 1\n  }\n}\n');
    fs.writeFileSync(path.join(dir, 'lib', 'twice.alloy'), 'declare "twice" {\n  argument "a" {}\n  plus "p" {\n    a = argument.a.value * 2\n  }\n  export "out" {\n    value = plus.p.out\n  }\n}\n');
    fs.writeFileSync(
      path.join(dir, 'top.alloy'),
      'import.file "lib" {\n  filename = file.path_join(module_path, "lib")\n}\ndeclare "calc" {\n  argument "a" {}\n  lib.twice "t" {\n    a = argument.a.value\n  }\n  export "out" {\n    value = lib.twice.t.out\n  }\n}\n',
    );
    const c = newController();
    await c.load(`import.file "top" {\n  filename = ${JSON.stringify(path.join(dir, 'top.alloy'))}\n}\ntop.calc "c" {\n  a = 5\n}\n`, path.join(dir, 'main.alloy'));
    expect(c.view('top.calc.c')!.exports.out).toBe(11);
    expect(c.view('top.calc.c/lib.twice.t/plus.p')).toBeDefined();
    // The nested import runs as a node of the module that imports it.
    expect(c.view('import.file.top/import.file.lib')!.health.state).toBe('healthy');
    await c.stop();
  });

  test('a changed module is applied; unchanged instances keep their components; a broken one keeps the last good module', async () => {
    const dir = tmp();
    const file = path.join(dir, 'math.alloy');
    fs.writeFileSync(file, MATH);
    const c = newController();
    await c.load(
      `import.file "math" {\n  filename = ${JSON.stringify(file)}\n  poll_frequency = "100ms"\n}\nmath.add "x" {\n  a = 2\n}\nmath.add "y" {\n  a = 3\n}\n`,
      path.join(dir, 'main.alloy'),
    );
    const keepState = c.view('math.add.y/testing.value.keep')!.debugInfo;
    const keepBuilds = builds['math.add.y/testing.value.keep'];
    fs.writeFileSync(file, MATH.replace('argument.a.value + argument.b.value', 'argument.a.value + 40'));
    await waitFor('math.add.x sum === 42', () => c.view('math.add.x')!.exports.sum === 42, { timeoutMs: 20_000 });
    expect(c.view('math.add.y')!.exports.sum).toBe(43);
    // The component whose arguments did not change is the same object, never rebuilt.
    expect(c.view('math.add.y/testing.value.keep')!.debugInfo).toBe(keepState);
    expect(builds['math.add.y/testing.value.keep']).toBe(keepBuilds);

    fs.writeFileSync(file, MATH.replace('argument.a.value + argument.b.value', 'argument.a.value + nope.x.y'));
    const health = await waitFor('import.file.math unhealthy', () => {
      const h = c.view('import.file.math')!.health;
      return h.state === 'unhealthy' && h;
    }, { timeoutMs: 20_000 });
    expect(health.message).toMatch(/module refused, the last good module keeps running: .*math\.alloy:\d+:\d+: reference to "nope\.x\.y": no component with that name exists in declare "math\.add"/);
    expect(c.view('math.add.x')!.exports.sum).toBe(42);
    expect(c.view('math.add.y/testing.value.keep')!.debugInfo).toBe(keepState);

    // Fixed again: applied, healthy.
    fs.writeFileSync(file, MATH.replace('argument.a.value + argument.b.value', 'argument.a.value + 50'));
    await waitFor('math.add.x sum === 52', () => c.view('math.add.x')!.exports.sum === 52, { timeoutMs: 20_000 });
    await waitFor('import.file.math healthy', () => c.view('import.file.math')!.health.state === 'healthy', { timeoutMs: 20_000 });
    await c.stop();
  });

  test('a missing file fails the first load with the reason', async () => {
    expect(await loadError('import.file "m" {\n  filename = "/nonexistent/m.alloy"\n}\n')).toMatch(/failed to read \/nonexistent\/m\.alloy: ENOENT/);
  });
});

test('a module fetched by import.http may not use import.file (as in Alloy)', async () => {
  const http = await import('node:http');
  const server = http.createServer((_q, r) => r.end('import.file "x" {\n  filename = "/etc/passwd"\n}\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    expect(await loadError(`import.http "m" {\n  url = "http://127.0.0.1:${port}/m.alloy"\n}\n`)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/m\.alloy:1:1: importing a module via import\.http \(nodeID: import\.http\.m\) that contains an import\.file block is not supported/,
    );
  } finally {
    server.close();
  }
});

test('two modules changing together: the good one applies, the broken one is refused alone', async () => {
  const dir = tmp();
  const good = path.join(dir, 'good.alloy');
  const bad = path.join(dir, 'bad.alloy');
  fs.writeFileSync(good, MATH);
  fs.writeFileSync(bad, MATH);
  const c = newController();
  await c.load(
    `import.file "g" {\n  filename = ${JSON.stringify(good)}\n  poll_frequency = "100ms"\n}\nimport.file "b" {\n  filename = ${JSON.stringify(bad)}\n  poll_frequency = "100ms"\n}\ng.add "x" {\n  a = 1\n}\nb.add "y" {\n  a = 1\n}\n`,
    path.join(dir, 'main.alloy'),
  );
  fs.writeFileSync(bad, 'declare "add" {\n');
  fs.writeFileSync(good, MATH.replace('argument.a.value + argument.b.value', '1000'));
  await waitFor('g.add.x sum === 1000 and import.file.b unhealthy', () => c.view('g.add.x')!.exports.sum === 1000 && c.view('import.file.b')!.health.state === 'unhealthy', { timeoutMs: 20_000 });
  expect(c.view('import.file.g')!.health.state).toBe('healthy');
  expect(c.view('import.file.b')!.health.message).toMatch(/module refused, the last good module keeps running: .*bad\.alloy:2:1/);
  expect(c.view('b.add.y')!.exports.sum).toBe(2);
  await c.stop();
});
