import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createCredentials, loadCredentials, redactSecrets } from './credentials.js';

const PASSWORD = 'pa55-w0rd!';

describe('loadCredentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-credentials-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeFiles(username: string | undefined, password: string | undefined): void {
    if (username !== undefined) writeFileSync(join(dir, 'username'), username);
    if (password !== undefined) writeFileSync(join(dir, 'password'), password);
  }

  it('reads BIGIP_USERNAME and BIGIP_PASSWORD from the given environment', () => {
    const credentials = loadCredentials({ env: { BIGIP_USERNAME: 'admin', BIGIP_PASSWORD: PASSWORD } });
    assert.equal(credentials.username, 'admin');
    assert.equal(credentials.password, PASSWORD);
  });

  it('reads the files username and password, without their trailing newline', () => {
    writeFiles('admin\n', `${PASSWORD}\r\n`);
    const credentials = loadCredentials({ credentialsDir: dir });
    assert.equal(credentials.username, 'admin');
    assert.equal(credentials.password, PASSWORD);
  });

  it('keeps spaces that are part of a password', () => {
    writeFiles('admin', ' with spaces \n');
    assert.equal(loadCredentials({ credentialsDir: dir }).password, ' with spaces ');
  });

  it('prefers the directory over the environment', () => {
    writeFiles('from-file', 'file-pass');
    const credentials = loadCredentials({ credentialsDir: dir, env: { BIGIP_USERNAME: 'from-env', BIGIP_PASSWORD: 'env-pass' } });
    assert.equal(credentials.username, 'from-file');
    assert.equal(credentials.password, 'file-pass');
  });

  const envCases: Array<[name: string, env: Record<string, string | undefined>, expected: RegExp]> = [
    ['no variables', {}, /BIGIP_USERNAME and BIGIP_PASSWORD are not set/],
    ['no password', { BIGIP_USERNAME: 'admin' }, /BIGIP_PASSWORD is not set/],
    ['no username', { BIGIP_PASSWORD: PASSWORD }, /BIGIP_USERNAME is not set/],
    ['an empty password', { BIGIP_USERNAME: 'admin', BIGIP_PASSWORD: '\n' }, /BIGIP_PASSWORD is not set/],
  ];
  for (const [name, env, expected] of envCases) {
    it(`names what is missing in the environment: ${name}`, () => {
      assert.throws(
        () => loadCredentials({ env }),
        (error: Error) => {
          assert.match(error.message, expected);
          assert.ok(!error.message.includes(PASSWORD));
          return true;
        },
      );
    });
  }

  const fileCases: Array<[name: string, username: string | undefined, password: string | undefined, expected: RegExp]> = [
    ['a missing password file', 'admin', undefined, /cannot read .*password \(ENOENT\)/],
    ['a missing username file', undefined, PASSWORD, /cannot read .*username \(ENOENT\)/],
    ['an empty password file', 'admin', '\n', /password is empty/],
    ['an empty username file', ' \n', PASSWORD, /username is empty/],
  ];
  for (const [name, username, password, expected] of fileCases) {
    it(`names the file at fault: ${name}`, () => {
      writeFiles(username, password);
      assert.throws(
        () => loadCredentials({ credentialsDir: dir }),
        (error: Error) => {
          assert.match(error.message, expected);
          assert.ok(!error.message.includes(PASSWORD));
          return true;
        },
      );
    });
  }

  it('reports a missing directory rather than falling back to the environment', () => {
    assert.throws(
      () => loadCredentials({ credentialsDir: join(dir, 'absent'), env: { BIGIP_USERNAME: 'admin', BIGIP_PASSWORD: PASSWORD } }),
      /cannot read .*absent.*username/,
    );
  });
});

describe('createCredentials', () => {
  const credentials = createCredentials('admin', PASSWORD);

  it('hides the password from JSON.stringify, util.inspect, String() and spreading', () => {
    for (const shown of [
      JSON.stringify(credentials),
      JSON.stringify({ nested: credentials }),
      inspect(credentials),
      inspect({ deep: { credentials } }),
      String(credentials),
      JSON.stringify({ ...credentials }),
    ]) {
      assert.ok(!shown.includes(PASSWORD), shown);
    }
    assert.match(JSON.stringify(credentials), /"username":"admin"/);
    assert.match(inspect(credentials), /admin/);
    assert.deepEqual(Object.keys(credentials), ['username']);
  });

  it('still gives the password to code that asks for it', () => {
    assert.equal(credentials.password, PASSWORD);
    const { password } = credentials;
    assert.equal(password, PASSWORD);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    assert.equal(
      redactSecrets('user admin pw abc, again abc; token T1', ['abc', 'T1', undefined, '']),
      'user admin pw [redacted], again [redacted]; token [redacted]',
    );
  });
});
