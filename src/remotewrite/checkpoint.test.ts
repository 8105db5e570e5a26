import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checkpoint } from './checkpoint.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-ckpt-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Checkpoint', () => {
  it('saves and loads the latest position through alternating slots', async () => {
    const file = Checkpoint.fileFor(dir, 'ep');
    const c = new Checkpoint(file);
    expect(c.load()).toBeUndefined();
    c.initSync({ segment: 1, offset: 0 });
    for (let i = 1; i <= 25; i++) void c.save({ segment: 1 + Math.floor(i / 10), offset: i * 100 });
    await c.close();
    expect(new Checkpoint(file).load()).toEqual({ segment: 3, offset: 2500 });
    expect(fs.statSync(file).size).toBe(128);
  });

  it('falls back to the other slot when one is torn, and never reads a mixed slot as valid', async () => {
    const file = Checkpoint.fileFor(dir, 'ep');
    const c = new Checkpoint(file);
    c.initSync({ segment: 1, offset: 0 });
    await c.save({ segment: 2, offset: 4096 });
    await c.save({ segment: 2, offset: 8192 });
    await c.close();
    const data = fs.readFileSync(file);
    const newest = new Checkpoint(file).load();
    expect(newest).toEqual({ segment: 2, offset: 8192 });
    // Spoil the slot holding the newest position: a digit of its offset changes.
    const slot = data.subarray(0, 64).includes(Buffer.from('8192')) ? 0 : 64;
    const at = data.indexOf(Buffer.from('8192'), slot);
    data[at] = '7'.charCodeAt(0);
    fs.writeFileSync(file, data);
    expect(new Checkpoint(file).load()).toEqual({ segment: 2, offset: 4096 });
  });

  it('reads the older single-JSON format and upgrades it on the next save', async () => {
    const file = Checkpoint.fileFor(dir, 'old');
    fs.writeFileSync(file, JSON.stringify({ segment: 7, offset: 123 }));
    const c = new Checkpoint(file);
    expect(c.load()).toEqual({ segment: 7, offset: 123 });
    await c.save({ segment: 7, offset: 456 });
    await c.save({ segment: 8, offset: 0 });
    await c.close();
    expect(new Checkpoint(file).load()).toEqual({ segment: 8, offset: 0 });
    fs.writeFileSync(file, '{"segment": -1');
    expect(new Checkpoint(file).load()).toBeUndefined();
  });
});
