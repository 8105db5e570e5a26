import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../components/index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { Controller } from './controller.js';
import { registerComponent, getComponent } from './registry.js';
import { t, type ComponentContext } from './types.js';

// A component with in-memory state that would be lost if it were rebuilt:
// it counts builds and updates, and exports what it was given.
const builds: Record<string, number> = {};
const updates: Record<string, number> = {};
if (!getComponent('testing.echo')) {
  registerComponent({
    name: 'testing.echo',
    args: { attrs: { value: { type: t.any(), required: true }, count: { type: t.number(), default: 0 } } },
    exports: { output: t.any() },
    build(ctx: ComponentContext) {
      builds[ctx.id] = (builds[ctx.id] ?? 0) + 1;
      const state = { instance: Math.random() };
      return {
        update(args: { value: unknown }) {
          updates[ctx.id] = (updates[ctx.id] ?? 0) + 1;
          ctx.setExports({ output: args.value });
        },
        debugInfo: () => state,
      };
    },
  });
}

function newController() {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-ctl-'));
  return new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: storage, cluster: new StandaloneOwnership('n1') });
}

async function loadError(src: string): Promise<Diagnostic> {
  const c = newController();
  try {
    await c.load(src, 'bad.alloy');
  } catch (e) {
    expect(e).toBeInstanceOf(Diagnostic);
    return e as Diagnostic;
  } finally {
    await c.stop();
  }
  throw new Error('config was accepted');
}

describe('config errors are positioned diagnostics', () => {
  test.each([
    ['syntax error', 'testing.echo "a" {\n  value = \n}\n', /^bad\.alloy:3:1: /],
    ['unknown component', '\nfoo.bar "x" {}\n', /^bad\.alloy:2:1: unrecognized component name "foo.bar"/],
    ['unknown attribute', 'testing.echo "a" {\n  value = 1\n  nope = 2\n}\n', /^bad\.alloy:3:3: unrecognized attribute name "nope"/],
    ['missing required attribute', 'testing.echo "a" {\n}\n', /^bad\.alloy:1:1: missing required attribute "value"/],
    ['type mismatch', 'testing.echo "a" {\n  value = 1\n  count = "x"\n}\n', /^bad\.alloy:3:11: count: expected number, got string/],
    ['missing component reference', 'testing.echo "a" {\n  value = testing.echo.b.output\n}\n', /^bad\.alloy:2:11: reference to "testing\.echo\.b\.output": no component/],
    ['unknown export', 'testing.echo "b" { value = 1 }\ntesting.echo "a" {\n  value = testing.echo.b.nope\n}\n', /^bad\.alloy:3:11: component "testing.echo.b" has no export "nope"/],
    ['reference cycle', 'testing.echo "a" {\n  value = testing.echo.b.output\n}\ntesting.echo "b" {\n  value = testing.echo.a.output\n}\n', /^bad\.alloy:\d+:1: cycle detected: testing\.echo\.(a|b) -> testing\.echo\.(a|b) -> testing\.echo\.(a|b)/],
    ['duplicate component', 'testing.echo "a" { value = 1 }\ntesting.echo "a" { value = 2 }\n', /^bad\.alloy:2:1: component "testing.echo.a" already declared at bad.alloy:1:1/],
    ['missing label', 'testing.echo { value = 1 }\n', /^bad\.alloy:1:1: component "testing.echo" must have a label/],
  ])('%s', async (_name, src, expected) => {
    const d = await loadError(src);
    expect(d.message).toMatch(expected);
  });
});

describe('graph evaluation', () => {
  test('exports flow to dependants, only dependants are re-evaluated', async () => {
    const c = newController();
    await c.load(
      'testing.echo "src" { value = [1, 2] }\n' +
        'testing.echo "mid" { value = concat(testing.echo.src.output, [3]) }\n' +
        'testing.echo "other" { value = "static" }\n',
      'g.alloy',
    );
    expect(c.view('testing.echo.mid')!.exports.output).toEqual([1, 2, 3]);
    expect(c.view('testing.echo.mid')!.references).toEqual(['testing.echo.src']);
    expect(c.view('testing.echo.src')!.referencedBy).toEqual(['testing.echo.mid']);
    await c.stop();
  });

  test('reload keeps unchanged components and their state; changed ones get update(), not rebuild', async () => {
    const c = newController();
    const v1 = 'testing.echo "keep" { value = 1 }\ntesting.echo "change" { value = 1 }\n';
    await c.load(v1, 'r.alloy');
    const keepState = c.view('testing.echo.keep')!.debugInfo;
    const changeState = c.view('testing.echo.change')!.debugInfo;
    const before = { keepUpdates: updates['testing.echo.keep'], builds: { ...builds } };
    await c.load('testing.echo "keep" { value = 1 }\ntesting.echo "change" { value = 2 }\ntesting.echo "new" { value = testing.echo.change.output }\n', 'r.alloy');
    expect(c.view('testing.echo.keep')!.debugInfo).toBe(keepState);
    expect(c.view('testing.echo.change')!.debugInfo).toBe(changeState);
    expect(updates['testing.echo.keep']).toBe(before.keepUpdates);
    expect(builds['testing.echo.change']).toBe(before.builds['testing.echo.change']);
    expect(c.view('testing.echo.new')!.exports.output).toBe(2);
    await c.stop();
  });

  test('an invalid reload is rejected and the old graph keeps running', async () => {
    const c = newController();
    await c.load('testing.echo "a" { value = "v1" }\n', 'r.alloy');
    await expect(c.load('testing.echo "a" { value = "v2" }\ntesting.echo "b" { count = "x"\n value = 1 }\n', 'r.alloy')).rejects.toThrow(
      /r\.alloy:2:28: count: expected number, got string/,
    );
    expect(c.view('testing.echo.a')!.exports.output).toBe('v1');
    expect(c.view('testing.echo.b')).toBeUndefined();
    await c.stop();
  });
});
