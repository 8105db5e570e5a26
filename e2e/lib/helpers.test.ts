// The shared test helpers themselves: waits give up on time with a message
// naming what was awaited, ports are free and distinct, spawned processes are
// reported with their output and killed with their whole group.
import net from 'node:net';
import { freePort, freePorts } from './ports.js';
import { spawnProcess } from './spawn.js';
import { timedWaitFor, waitFor } from './wait.js';

describe('waitFor', () => {
  test('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor('n to reach 3', () => (++n >= 3 ? n : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  test('fails after the timeout naming the wait and the last value or error', async () => {
    await expect(waitFor('the answer', () => false, { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(/timed out after 50 ms waiting for the answer .*last: false/);
    await expect(
      waitFor('no errors', () => {
        throw new Error('still broken');
      }, { timeoutMs: 50, intervalMs: 10 }),
    ).rejects.toThrow(/waiting for no errors .*last: still broken/);
  });

  test('the attempt count is bounded by what fits in the timeout', async () => {
    let calls = 0;
    await expect(waitFor('never', () => (calls++, false), { timeoutMs: 100, intervalMs: 20 })).rejects.toThrow();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(7);
  });

  test('an abort signal stops the wait with its reason', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('the process exited'), 20);
    await expect(waitFor('x', () => false, { timeoutMs: 10_000, intervalMs: 5, signal: ac.signal })).rejects.toThrow(/stopped \("the process exited"\) waiting for x/);
  });

  test('timedWaitFor returns the time waited', async () => {
    const t0 = Date.now();
    const ms = await timedWaitFor('50 ms to pass', () => Date.now() - t0 >= 50, { intervalMs: 5 });
    expect(ms).toBeGreaterThanOrEqual(50);
  });
});

describe('freePort', () => {
  test('ports are distinct and bindable on 127.0.0.1', async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    const p = await freePort();
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(p, '127.0.0.1', r));
    await new Promise((r) => s.close(r));
  });

  test('refuses a non-loopback host', async () => {
    await expect(freePort('0.0.0.0')).rejects.toThrow(/0\.0\.0\.0 is not a loopback address/);
  });
});

describe('spawnProcess', () => {
  const node = (code: string) => ['-e', code];

  test('waits for a ready line and keeps the output', async () => {
    const p = await spawnProcess(process.execPath, node('console.log("booting"); setTimeout(() => console.log("ready at 42"), 100); setInterval(() => {}, 1000)'), {
      ready: { line: /ready at (\d+)/ },
    });
    expect(p.readyLine).toBe('ready at 42');
    expect(p.output()).toContain('booting');
    expect(await p.stop()).toBe(null);
    expect(p.hasExited()).toBe(true);
  });

  test('an exit before ready fails with the tail of the output', async () => {
    await expect(spawnProcess(process.execPath, node('console.error("bad flag --x"); process.exit(3)'), { name: 'child', ready: { line: /ready/ } })).rejects.toThrow(
      /child exited with 3 before printing a line matching \/ready\/; output tail:\nbad flag --x/,
    );
  });

  test('no ready line in time fails and kills the process', async () => {
    const err = await spawnProcess(process.execPath, node('console.log("slow"); setInterval(() => {}, 1000)'), { name: 'slow', ready: { line: /ready/ }, readyTimeoutMs: 500 }).catch((e) => e);
    expect(String(err)).toMatch(/slow printed no line matching \/ready\/ within 500 ms; output tail:\nslow/);
  });

  test('waits for an HTTP endpoint', async () => {
    const port = await freePort();
    const child = `setTimeout(() => require("http").createServer((q, r) => r.end("up")).listen(${port}, "127.0.0.1"), 300)`;
    const p = await spawnProcess(process.execPath, node(child), { ready: { http: `http://127.0.0.1:${port}/` } });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('up');
    await p.stop();
  });

  test('output is bounded to the newest characters', async () => {
    const p = await spawnProcess(process.execPath, node('process.stdout.write("a".repeat(5000) + "END")'), { outputLimit: 100 });
    await p.exited;
    expect(p.output()).toHaveLength(100);
    expect(p.output().endsWith('END')).toBe(true);
  });

  test('stop kills the whole process group', async () => {
    // The child starts a grandchild that ignores nothing; both must be gone after stop().
    const grandchild = `require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }).pid`;
    const p = await spawnProcess(process.execPath, node(`console.log("grandchild " + ${grandchild}); setInterval(() => {}, 1000)`), { ready: { line: /^grandchild \d+$/ } });
    const gpid = Number(p.readyLine!.split(' ')[1]);
    expect(() => process.kill(gpid, 0)).not.toThrow();
    await p.stop();
    await waitFor(`grandchild ${gpid} gone`, () => {
      try {
        process.kill(gpid, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 5000, intervalMs: 20 });
  });
});
