// The Authorization header of a kubelet poll for each credential setting, files
// re-read per call, and where the 401 message says the credential came from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret } from '../syntax/secret.js';
import { resolveCredentials } from './credentials.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-cred-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const absent = () => path.join(tmp, 'no-sa-token');
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('authorization: the given scheme (default Bearer) and credentials, inline or from a file re-read each time', async () => {
  expect(await resolveCredentials({ authorization: { type: 'Bearer', credentials: new Secret('abc') } }, absent())).toEqual({
    header: 'Bearer abc',
    source: 'authorization (type Bearer, credentials)',
  });
  expect((await resolveCredentials({ authorization: { credentials: 'abc' } }, absent())).header).toBe('Bearer abc');
  const file = path.join(tmp, 'cred');
  fs.writeFileSync(file, 'one\n');
  const a = { authorization: { type: 'Token', credentials_file: file } };
  expect(await resolveCredentials(a, absent())).toEqual({ header: 'Token one', source: `authorization (type Token, credentials_file ${file})` });
  fs.writeFileSync(file, 'two');
  expect((await resolveCredentials(a, absent())).header).toBe('Token two');
});

test('basic_auth: base64 of username:password, password inline or from a file', async () => {
  expect(await resolveCredentials({ basic_auth: { username: 'alloy', password: new Secret('pw') } }, absent())).toEqual({
    header: `Basic ${b64('alloy:pw')}`,
    source: 'basic_auth (username "alloy")',
  });
  const file = path.join(tmp, 'pw');
  fs.writeFileSync(file, 'from-file\n');
  expect(await resolveCredentials({ basic_auth: { username: 'alloy', password_file: file } }, absent())).toEqual({
    header: `Basic ${b64('alloy:from-file')}`,
    source: `basic_auth (username "alloy", password_file ${file})`,
  });
});

test('a configured block wins over the service-account token; without any credential that token is used', async () => {
  const sa = path.join(tmp, 'sa');
  fs.writeFileSync(sa, 'sa-token\n');
  expect((await resolveCredentials({ basic_auth: { username: 'u', password: 'p' } }, sa)).header).toBe(`Basic ${b64('u:p')}`);
  expect(await resolveCredentials({}, sa)).toEqual({ header: 'Bearer sa-token', source: `service-account token ${sa}` });
  expect(await resolveCredentials({ bearer_token: new Secret('t') }, sa)).toEqual({ header: 'Bearer t', source: 'bearer_token' });
  const none = await resolveCredentials({}, absent());
  expect(none.header).toBeUndefined();
  expect(none.source).toMatch(/^no token/);
});

test('unreadable credential files are config errors naming the setting and path', async () => {
  const missing = path.join(tmp, 'missing');
  await expect(resolveCredentials({ authorization: { credentials_file: missing } }, absent())).rejects.toMatchObject({
    kind: 'config',
    message: expect.stringMatching(/^authorization\.credentials_file .*missing: cannot read: ENOENT$/),
  });
  await expect(resolveCredentials({ basic_auth: { username: 'u', password_file: missing } }, absent())).rejects.toMatchObject({
    kind: 'config',
    message: expect.stringMatching(/^basic_auth\.password_file .*missing: cannot read: ENOENT$/),
  });
});
