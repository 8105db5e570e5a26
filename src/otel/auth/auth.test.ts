// The auth handlers: htpasswd hash schemes checked against hashes made
// independently (bcryptjs, node:crypto), basic client credentials from files
// (re-read per request), bearer both ways, headers_setter actions and sources.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { basicAuthHandler, bearerAuthHandler, headersSetterHandler } from './handlers.js';
import { Htpasswd } from './htpasswd.js';

test('htpasswd: bcrypt, {SHA}, {SSHA}, plain; inline wins over file; unsupported schemes refused by name', () => {
  const salt = Buffer.from('saltsalt');
  const ssha = `{SSHA}${Buffer.concat([createHash('sha1').update('pw3').update(salt).digest(), salt]).toString('base64')}`;
  const h = new Htpasswd()
    .add(`a:${bcrypt.hashSync('pw1', 4)}\nb:{SHA}${createHash('sha1').update('pw2').digest('base64')}\n# comment\nc:${ssha}\nd:old`, 'file')
    .add('d:plain', 'inline');
  expect([h.verify('a', 'pw1'), h.verify('a', 'nope'), h.verify('b', 'pw2'), h.verify('b', 'pw1'), h.verify('c', 'pw3'), h.verify('c', 'pw2')]).toEqual([true, false, true, false, true, false]);
  expect([h.verify('d', 'plain'), h.verify('d', 'old'), h.verify('zz', 'x')]).toEqual([true, false, false]);
  expect(() => new Htpasswd().add('m:$apr1$abc$def', 'htpasswd.file')).toThrow('htpasswd.file: user "m": the apr1 hash scheme is not supported');
  expect(() => new Htpasswd().add('nocolon', 'htpasswd.inline')).toThrow('htpasswd.inline: line 1: want user:password');
});

test('basic: client header from files re-read per request; server checks and returns the username', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-basic-'));
  fs.writeFileSync(path.join(dir, 'u'), 'alice\n');
  fs.writeFileSync(path.join(dir, 'p'), 'one\n');
  const h = basicAuthHandler('otelcol.auth.basic.x', { username: 'ignored', password: 'ignored', username_file: path.join(dir, 'u'), password_file: path.join(dir, 'p') }, new Htpasswd().add('alice:one', 'inline'));
  const headers: Record<string, string> = {};
  await h.setHeaders!(headers);
  expect(headers.Authorization).toBe(`Basic ${Buffer.from('alice:one').toString('base64')}`);
  fs.writeFileSync(path.join(dir, 'p'), 'two');
  await h.setHeaders!(headers);
  expect(headers.Authorization).toBe(`Basic ${Buffer.from('alice:two').toString('base64')}`);
  await expect(h.authenticate!({ authorization: `Basic ${Buffer.from('alice:one').toString('base64')}` })).resolves.toMatchObject({ username: 'alice' });
  await expect(h.authenticate!({ authorization: `Basic ${Buffer.from('alice:two').toString('base64')}` })).rejects.toThrow('the provided credentials are invalid');
  await expect(h.authenticate!({})).rejects.toThrow('missing or empty authorization header');
  await expect(h.authenticate!({ authorization: 'Bearer x' })).rejects.toThrow('no basic auth provided');
  expect(basicAuthHandler('id', undefined, undefined).setHeaders).toBeUndefined();
});

test('bearer: custom header and scheme both ways; empty scheme sends the token alone', async () => {
  const h = bearerAuthHandler('id', () => 'tok', 'X-API-Key', 'Token');
  const out: Record<string, string> = {};
  await h.setHeaders!(out);
  expect(out).toEqual({ 'X-API-Key': 'Token tok' });
  await expect(h.authenticate!({ 'x-api-key': 'Token tok' })).resolves.toEqual({});
  await expect(h.authenticate!({ 'x-api-key': 'Token bad' })).rejects.toThrow('scheme or token does not match');
  await expect(h.authenticate!({ authorization: 'Token tok' })).rejects.toThrow('missing or empty X-API-Key header');
  const bare: Record<string, string> = {};
  await bearerAuthHandler('id', () => 'tok', 'Authorization', '').setHeaders!(bare);
  expect(bare).toEqual({ Authorization: 'tok' });
});

test('headers_setter: insert, update, upsert, delete; from_context and from_attribute; missing sources skipped', async () => {
  const h = headersSetterHandler('id', [
    { key: 'X-Insert', action: 'insert', value: () => 'new' },
    { key: 'X-Existing', action: 'insert', value: () => 'not-applied' },
    { key: 'x-existing', action: 'update', value: () => 'updated' },
    { key: 'X-Absent', action: 'update', value: () => 'never' },
    { key: 'X-Tenant', action: 'upsert', from_context: 'X-Tenant' },
    { key: 'X-User', action: 'upsert', from_attribute: 'username' },
    { key: 'X-None', action: 'upsert', from_context: 'missing' },
    { key: 'X-Drop', action: 'delete' },
  ]);
  const headers: Record<string, string> = { 'X-Existing': 'old', 'x-drop': 'bye' };
  await h.setHeaders!(headers, { metadata: { 'x-tenant': ['team-a', 'team-b'] }, auth: { username: 'alice' } });
  expect(headers).toEqual({ 'X-Insert': 'new', 'x-existing': 'updated', 'X-Tenant': 'team-a', 'X-User': 'alice' });
  expect(h.authenticate).toBeUndefined();
});
