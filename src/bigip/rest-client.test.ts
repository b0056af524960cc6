import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import nock from 'nock';
import { API_CERT, API_KEY, TEST_CA_CERT } from '../../test/support/certificates.js';
import type { As3Application, As3Declaration } from '../model/as3-types.js';
import { BigipError } from './as3-api.js';
import type { BigipErrorKind, BigipEvent } from './as3-api.js';
import { createCredentials } from './credentials.js';
import { compareVersions } from '../lib/version.js';
import { secretMarker } from '../lib/redact.js';
import { BigipRestClient } from './rest-client.js';
import type { BigipRestClientOptions } from './rest-client.js';

const BASE = 'https://bigip.example.test';
const USERNAME = 'automation';
const PASSWORD = 'Sup3r-S3cret-pw';
const TOKEN = 'TOKENAAAAAAAAAAAAAAAAAAAAA';
const TOKEN_2 = 'TOKENBBBBBBBBBBBBBBBBBBBBB';
const LOGIN = '/mgmt/shared/authn/login';
const INFO = '/mgmt/shared/appsvcs/info';
const DECLARE = '/mgmt/shared/appsvcs/declare';
const TASK = '/mgmt/shared/appsvcs/task';

const ADC = { class: 'ADC', schemaVersion: '3.50.0', id: 'kube-as3', label: 'kube-as3', remark: 'kube-as3' } as const;

function declaration(tenants: string[]): As3Declaration {
  const adc: As3Declaration['declaration'] = { ...ADC };
  for (const tenant of tenants) adc[tenant] = { class: 'Tenant', app: { class: 'Application', template: 'generic' } };
  return { class: 'AS3', action: 'deploy', persist: true, declaration: adc };
}

function result(tenant: string, code: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, message, lineCount: 20, host: 'localhost', tenant, runTime: 900, ...extra };
}

const IN_PROGRESS = { id: 'task-1', results: [{ message: 'in progress', tenant: '', host: '', runTime: 0, code: 0 }], declaration: {} };
const SUBMITTED = {
  id: 'task-1',
  results: [{ message: 'Declaration successfully submitted', tenant: '', host: '', runTime: 0, code: 0 }],
  declaration: {},
  selfLink: 'https://localhost/mgmt/shared/appsvcs/task/task-1',
};
const BUSY_BODY = { code: 503, message: 'Error: Configuration operation in progress on device localhost, please try again in 2 minutes' };

/** Every harness of a test, so afterEach can check that no event leaked a secret. */
let harnesses: Harness[] = [];

interface Harness {
  client: BigipRestClient;
  events: BigipEvent[];
  /** Every delay the client slept for (retries and polls), in order. */
  sleeps: number[];
  advanceClock(ms: number): void;
}

/** A client on a fake clock: sleeping only records the delay and moves the clock. */
function harness(options: Partial<BigipRestClientOptions> = {}): Harness {
  let clock = 1_000_000;
  const events: BigipEvent[] = [];
  const sleeps: number[] = [];
  const client = new BigipRestClient({
    url: BASE,
    credentials: createCredentials(USERNAME, PASSWORD),
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const created: Harness = { client, events, sleeps, advanceClock: (ms) => (clock += ms) };
  harnesses.push(created);
  return created;
}

function login(token = TOKEN, times = 1): nock.Scope {
  return nock(BASE)
    .post(LOGIN, { username: USERNAME, password: PASSWORD, loginProviderName: 'tmos' })
    .times(times)
    .reply(200, { username: USERNAME, loginProviderName: 'tmos', token: { token, name: token, userName: USERNAME, timeout: 1200 } });
}

/** A device that checks the token on every AS3 request. */
function device(token = TOKEN): nock.Scope {
  return nock(BASE, { reqheaders: { 'x-f5-auth-token': token } });
}

async function rejectsWith(promise: Promise<unknown>, kind: BigipErrorKind, message?: RegExp): Promise<BigipError> {
  const error = await promise.then(
    () => assert.fail(`expected a BigipError(${kind})`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof BigipError, `expected a BigipError, got ${inspect(error)}`);
  assert.equal(error.kind, kind, error.message);
  if (message) assert.match(error.message, message);
  assert.ok(!error.message.includes(PASSWORD), 'error message contains the password');
  assert.ok(!error.message.includes(TOKEN) && !error.message.includes(TOKEN_2), 'error message contains a token');
  return error;
}

/** nock 14 needs an Error instance here (a plain object breaks inside its interceptor). */
function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function retryEvents(events: BigipEvent[]): Array<Extract<BigipEvent, { type: 'retry' }>> {
  return events.filter((event): event is Extract<BigipEvent, { type: 'retry' }> => event.type === 'retry');
}

function loginCount(events: BigipEvent[]): number {
  return events.filter((event) => event.type === 'login' && event.ok).length;
}

describe('BigipRestClient', () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    harnesses = [];
  });
  afterEach(() => {
    nock.cleanAll();
    // Drops replies still held back by .delay(), so no timer outlives its test.
    nock.abortPendingRequests();
    for (const { events, client } of harnesses) {
      const shown = JSON.stringify(events) + inspect(events, { depth: 5 }) + inspect(client, { depth: 5 });
      assert.ok(!shown.includes(PASSWORD), 'an event or the client shows the password');
      assert.ok(!shown.includes(TOKEN) && !shown.includes(TOKEN_2), 'an event or the client shows the token');
    }
  });

  describe('constructor', () => {
    for (const url of ['ftp://bigip', 'bigip.example.test', 'https://admin:pw@bigip']) {
      it(`refuses the URL ${url}`, () => {
        assert.throws(() => new BigipRestClient({ url, credentials: createCredentials('a', 'b') }), /BIG-IP URL/);
      });
    }

    it('accepts http:// for labs and a trailing slash', async () => {
      const scopes = [
        nock('http://lab.test:8080')
          .post(LOGIN)
          .reply(200, { token: { token: TOKEN, timeout: 1200 } }),
        nock('http://lab.test:8080').get(INFO).reply(200, { version: '3.56.0', schemaCurrent: '3.56.0' }),
      ];
      const { client } = harness({ url: 'http://lab.test:8080/' });
      assert.equal((await client.info()).version, '3.56.0');
      assert.ok(scopes.every((scope) => scope.isDone()));
    });
  });

  describe('info', () => {
    const cases: Array<[version: string, perApplication: boolean]> = [
      ['3.49.0', false],
      ['3.50.0', true],
      ['3.56.0', true],
      ['3.9.1', false],
      ['4.0.0', true],
    ];
    for (const [version, perApplication] of cases) {
      it(`AS3 ${version}: perApplication ${perApplication}`, async () => {
        const auth = login();
        const scope = device().get(INFO).reply(200, { version, release: '7', schemaCurrent: version, schemaMinimum: '3.0.0' });
        const { client } = harness();
        assert.deepEqual(await client.info(), { version, schemaCurrent: version, schemaMinimum: '3.0.0', perApplication });
        assert.ok(auth.isDone() && scope.isDone());
      });
    }

    it('reports an answer without a version as a protocol error', async () => {
      login();
      device().get(INFO).reply(200, { release: '7' });
      await rejectsWith(harness().client.info(), 'protocol', /no AS3 version/);
    });

    it('reports 404 as AS3 not installed', async () => {
      login();
      device().get(INFO).reply(404, { code: 404, message: 'Public URI path not registered. Please see /var/log/restjavad.0.log' });
      const error = await rejectsWith(harness().client.info(), 'protocol', /AS3 .*not .*installed.*Public URI path not registered/);
      assert.equal(error.httpStatus, 404);
    });
  });

  describe('compareVersions', () => {
    const cases: Array<[string, string, number]> = [
      ['3.49.0', '3.50.0', -1],
      ['3.50.0', '3.50.0', 0],
      ['3.50', '3.50.0', 0],
      ['3.100.0', '3.50.0', 1],
      ['10.0.0', '9.99.99', 1],
    ];
    for (const [a, b, expected] of cases) {
      it(`${a} vs ${b} → ${expected}`, () => assert.equal(compareVersions(a, b), expected));
    }
  });

  describe('authentication', () => {
    it('logs in once and sends the same token on every request', async () => {
      const auth = login();
      const scope = device().get(INFO).times(2).reply(200, { version: '3.56.0', schemaCurrent: '3.56.0' });
      const { client, events } = harness();
      await client.info();
      await client.info();
      assert.ok(auth.isDone() && scope.isDone());
      assert.equal(loginCount(events), 1);
    });

    it('shares one login between concurrent first requests', async () => {
      const auth = login();
      const scope = device().get(INFO).times(3).reply(200, { version: '3.56.0', schemaCurrent: '3.56.0' });
      const { client, events } = harness();
      await Promise.all([client.info(), client.info(), client.info()]);
      assert.ok(auth.isDone() && scope.isDone());
      assert.equal(loginCount(events), 1);
    });

    it('logs in again shortly before the token expires', async () => {
      const first = login(TOKEN);
      const before = device(TOKEN).get(INFO).reply(200, { version: '3.56.0' });
      const { client, events, advanceClock } = harness();
      await client.info();
      advanceClock(1150 * 1000); // within the renewal margin of a 1200 s token
      const second = login(TOKEN_2);
      const after = device(TOKEN_2).get(INFO).reply(200, { version: '3.56.0' });
      await client.info();
      assert.ok(first.isDone() && before.isDone() && second.isDone() && after.isDone());
      assert.equal(loginCount(events), 2);
    });

    it('takes the token lifetime from expirationMicros when the timeout is missing', async () => {
      const { client, advanceClock } = harness();
      const first = nock(BASE)
        .post(LOGIN)
        .reply(200, { token: { token: TOKEN, expirationMicros: (1_000_000 + 300_000) * 1000 } });
      device(TOKEN).get(INFO).times(2).reply(200, { version: '3.56.0' });
      await client.info();
      advanceClock(200_000); // still valid: 300 s lifetime, 30 s margin
      await client.info();
      advanceClock(80_000);
      const second = login(TOKEN_2);
      device(TOKEN_2).get(INFO).reply(200, { version: '3.56.0' });
      await client.info();
      assert.ok(first.isDone() && second.isDone());
    });

    it('on a 401 logs in again once and repeats the request', async () => {
      const first = login(TOKEN);
      const refused = device(TOKEN).get(INFO).reply(401, { code: 401, message: 'X-F5-Auth-Token does not exist.' });
      const second = login(TOKEN_2);
      const accepted = device(TOKEN_2).get(INFO).reply(200, { version: '3.56.0' });
      const { client, events } = harness();
      assert.equal((await client.info()).version, '3.56.0');
      assert.ok(first.isDone() && refused.isDone() && second.isDone() && accepted.isDone());
      assert.equal(loginCount(events), 2);
    });

    it('reports auth when the request is still refused after logging in again', async () => {
      login(TOKEN);
      device(TOKEN).get(INFO).reply(401, { code: 401, message: 'X-F5-Auth-Token does not exist.' });
      login(TOKEN_2);
      const scope = device(TOKEN_2).get(INFO).reply(401, { code: 401, message: 'Authorization failed' });
      const error = await rejectsWith(harness().client.info(), 'auth', /401 even after logging in again/);
      assert.equal(error.httpStatus, 401);
      assert.ok(scope.isDone());
    });

    for (const status of [401, 403, 400]) {
      it(`reports a refused login (HTTP ${status}) as auth, without the password`, async () => {
        // A device that echoes the request must not get the password into our message.
        const scope = nock(BASE)
          .post(LOGIN)
          .reply(status, { code: status, message: `Authentication failed for ${USERNAME} with password ${PASSWORD}` });
        const { client, events } = harness();
        const error = await rejectsWith(
          client.info(),
          'auth',
          new RegExp(`login as "${USERNAME}" refused \\(HTTP ${status}\\).*\\[redacted\\]`),
        );
        assert.equal(error.httpStatus, status);
        assert.ok(scope.isDone());
        assert.deepEqual(
          events.filter((event) => event.type === 'login'),
          [{ type: 'login', ok: false, kind: 'auth' }],
        );
        assert.equal(retryEvents(events).length, 0);
      });
    }

    it('logs in again on the next call after a refused login', async () => {
      nock(BASE).post(LOGIN).reply(401, { code: 401, message: 'Authentication failed.' });
      const { client } = harness();
      await rejectsWith(client.info(), 'auth');
      const auth = login();
      device().get(INFO).reply(200, { version: '3.56.0' });
      assert.equal((await client.info()).version, '3.56.0');
      assert.ok(auth.isDone());
    });

    it('reports a login answer without a token as a protocol error', async () => {
      nock(BASE).post(LOGIN).reply(200, { username: USERNAME });
      await rejectsWith(harness().client.info(), 'protocol', /no token/);
    });

    it('retries a busy login endpoint', async () => {
      const busy = nock(BASE).post(LOGIN).reply(503, 'Service Unavailable');
      const auth = login();
      device().get(INFO).reply(200, { version: '3.56.0' });
      const { client, sleeps } = harness();
      await client.info();
      assert.ok(busy.isDone() && auth.isDone());
      assert.deepEqual(sleeps, [250]);
    });
  });

  describe('currentDeclaration', () => {
    it('returns undefined when AS3 holds no declaration (204)', async () => {
      login();
      const scope = device().get(DECLARE).reply(204);
      assert.equal(await harness().client.currentDeclaration(), undefined);
      assert.ok(scope.isDone());
    });

    const adc = { ...ADC, T1: { class: 'Tenant', app: { class: 'Application', template: 'generic' } } };
    const shapes: Array<[string, unknown]> = [
      ['the ADC itself', adc],
      ['an AS3 wrapper', { class: 'AS3', action: 'deploy', persist: true, declaration: adc }],
      ['a bare declaration wrapper', { declaration: adc }],
    ];
    for (const [name, body] of shapes) {
      it(`returns the ADC from ${name}`, async () => {
        login();
        device()
          .get(DECLARE)
          .reply(200, body as nock.Body);
        assert.deepEqual(await harness().client.currentDeclaration(), adc);
      });
    }

    it('reports a body that is not an ADC declaration as a protocol error', async () => {
      login();
      device().get(DECLARE).reply(200, { items: [] });
      await rejectsWith(harness().client.currentDeclaration(), 'protocol', /not an ADC declaration/);
    });

    it('reports an invalid JSON body as a protocol error', async () => {
      login();
      device().get(DECLARE).reply(200, '{"class":"ADC",', { 'Content-Type': 'application/json' });
      await rejectsWith(harness().client.currentDeclaration(), 'protocol', /not JSON/);
    });
  });

  describe('deployTenants (synchronous answers)', () => {
    it('posts only the named tenants, asynchronously, with the declaration as body', async () => {
      login();
      const body = declaration(['T1', 'T2']);
      const scope = device()
        .post(`${DECLARE}/T1,T2`, body as unknown as nock.RequestBodyMatcher)
        .query({ async: 'true' })
        .matchHeader('content-type', 'application/json')
        .reply(200, { results: [result('T1', 200, 'success'), result('T2', 200, 'success')], declaration: body.declaration });
      const outcome = await harness().client.deployTenants(['T1', 'T2'], body);
      assert.ok(scope.isDone());
      assert.deepEqual(outcome, {
        status: 'ok',
        httpStatus: 200,
        results: [
          { tenant: 'T1', code: 200, message: 'success' },
          { tenant: 'T2', code: 200, message: 'success' },
        ],
        errors: [],
      });
    });

    it('treats 200 "no change" as success', async () => {
      login();
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(200, { results: [result('T1', 200, 'no change')] });
      const outcome = await harness().client.deployTenants(['T1'], declaration(['T1']));
      assert.equal(outcome.status, 'ok');
      assert.deepEqual(outcome.results, [{ tenant: 'T1', code: 200, message: 'no change' }]);
    });

    it('treats the code-less "no change" of a request that touched no tenant as success', async () => {
      login();
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(200, { results: [{ message: 'no change', host: 'localhost' }] });
      const outcome = await harness().client.deployTenants(['T1'], declaration([]));
      assert.equal(outcome.status, 'ok');
      assert.deepEqual(outcome.results, [{ tenant: '', code: 200, message: 'no change' }]);
    });

    it('reports 207 as partial, with the failing tenant and its error text', async () => {
      login();
      const failure = '01070734:3: Configuration error: Invalid pool member /T2/app/pool 10.0.0.1:80';
      device()
        .post(`${DECLARE}/T1,T2`)
        .query(true)
        .reply(207, { results: [result('T1', 200, 'success'), result('T2', 422, 'declaration failed', { response: failure })] });
      const outcome = await harness().client.deployTenants(['T1', 'T2'], declaration(['T1', 'T2']));
      assert.equal(outcome.status, 'partial');
      assert.equal(outcome.httpStatus, 207);
      assert.deepEqual(outcome.results[1], { tenant: 'T2', code: 422, message: 'declaration failed', error: failure });
      assert.deepEqual(outcome.errors, [failure]);
    });

    it('reports 422 as rejected with AS3 errors', async () => {
      login();
      const errors = ["/T1/app/vs: should have required property 'virtualAddresses'"];
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(422, { code: 422, message: 'declaration is invalid', errors, declarationFullId: '', host: 'localhost', tenant: ['T1'] });
      const { client, events } = harness();
      const outcome = await client.deployTenants(['T1'], declaration(['T1']));
      assert.deepEqual(outcome, { status: 'rejected', httpStatus: 422, results: [], errors });
      assert.equal(retryEvents(events).length, 0);
    });

    it('redacts the posted private key and passphrase from what AS3 echoes back (errors and tenant results)', async () => {
      login();
      const passphrase = { ciphertext: 'cGFzc3BocmFzZS0xMjM0', protected: 'eyJhbGciOiJkaXIiLCJlbmMiOiJub25lIn0' };
      const body = declaration(['T1', 'T2']);
      (body.declaration['T1'] as Record<string, unknown>)['app'] = {
        class: 'Application',
        cert: { class: 'Certificate', certificate: API_CERT, privateKey: API_KEY, passphrase },
      };
      const echo = `/T1/app/cert: privateKey ${JSON.stringify(API_KEY)} with passphrase ${passphrase.ciphertext} cannot be loaded`;
      device()
        .post(`${DECLARE}/T1,T2`)
        .query(true)
        .reply(207, { results: [result('T1', 422, 'declaration failed', { response: echo }), result('T2', 200, 'success')] })
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(422, { code: 422, message: 'declaration is invalid', errors: [echo] });
      const { client } = harness();
      const partial = await client.deployTenants(['T1', 'T2'], body);
      const rejected = await client.deployTenants(['T1'], body);
      const shown = JSON.stringify([partial, rejected]);
      for (const secret of [...API_KEY.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')), passphrase.ciphertext]) {
        assert.ok(!shown.includes(secret), `AS3's echo leaks ${secret}: ${shown}`);
      }
      assert.ok(partial.results[0]?.error?.includes(secretMarker(API_KEY)), partial.results[0]?.error);
      assert.ok(rejected.errors[0]?.includes(secretMarker(passphrase.ciphertext)), rejected.errors[0]);
    });

    it('reports 422 with failed tenant results (all tenants failed) using their error texts', async () => {
      login();
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(422, { results: [result('T1', 422, 'declaration failed', { response: 'pointer "missing" does not exist' })] });
      const outcome = await harness().client.deployTenants(['T1'], declaration(['T1']));
      assert.equal(outcome.status, 'rejected');
      assert.deepEqual(outcome.errors, ['pointer "missing" does not exist']);
      assert.equal(outcome.results[0]?.error, 'pointer "missing" does not exist');
    });

    it('reports 400 as rejected with the message, without retrying', async () => {
      login();
      const scope = device().post(`${DECLARE}/T1`).query(true).once().reply(400, { code: 400, message: 'cannot parse JSON POST payload' });
      const { client, sleeps } = harness();
      const outcome = await client.deployTenants(['T1'], declaration(['T1']));
      assert.deepEqual(outcome, { status: 'rejected', httpStatus: 400, results: [], errors: ['cannot parse JSON POST payload'] });
      assert.ok(scope.isDone());
      assert.deepEqual(sleeps, []);
    });

    it('reports 404 as AS3 not installed', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(404, { code: 404, message: 'Public URI path not registered.' });
      const error = await rejectsWith(harness().client.deployTenants(['T1'], declaration(['T1'])), 'protocol', /AS3 .*not .*installed/);
      assert.equal(error.httpStatus, 404);
    });

    it('reports 500 as a protocol error with AS3 message, without retrying', async () => {
      login();
      const scope = device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .once()
        .reply(500, { code: 500, message: 'An unexpected error occurred. See logs for details. Error: save sys config failed' });
      const { client, sleeps } = harness();
      const error = await rejectsWith(
        client.deployTenants(['T1'], declaration(['T1'])),
        'protocol',
        /HTTP 500.*partly applied.*save sys config failed/,
      );
      assert.equal(error.httpStatus, 500);
      assert.ok(scope.isDone());
      assert.deepEqual(sleeps, []);
    });

    const invalidBodies: Array<[string, string]> = [
      ['a body that is not JSON', '<html>Service Temporarily Unavailable</html>'],
      ['truncated JSON', '{"results": [{"code": 200'],
      ['an empty body', ''],
      ['JSON without results', '{"declaration": {}}'],
    ];
    for (const [name, body] of invalidBodies) {
      it(`reports 200 with ${name} as a protocol error`, async () => {
        login();
        device().post(`${DECLARE}/T1`).query(true).reply(200, body);
        await rejectsWith(harness().client.deployTenants(['T1'], declaration(['T1'])), 'protocol');
      });
    }

    it('refuses an empty tenant list instead of posting to /declare', async () => {
      await assert.rejects(harness().client.deployTenants([], declaration([])), /at least one tenant/);
    });
  });

  describe('deployTenants (async task)', () => {
    it('follows a 202 through the task until it is no longer in progress', async () => {
      login();
      const post = device().post(`${DECLARE}/T1`).query({ async: 'true' }).reply(202, SUBMITTED);
      const poll = device()
        .get(`${TASK}/task-1`)
        .reply(200, IN_PROGRESS)
        .get(`${TASK}/task-1`)
        .reply(200, IN_PROGRESS)
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 200, 'success')], declaration: { class: 'ADC' } });
      const { client, sleeps, events } = harness({ pollIntervalMs: 700, firstPollMs: 70 });
      const outcome = await client.deployTenants(['T1'], declaration(['T1']));
      assert.ok(post.isDone() && poll.isDone());
      assert.deepEqual(outcome, { status: 'ok', httpStatus: 200, results: [{ tenant: 'T1', code: 200, message: 'success' }], errors: [] });
      assert.deepEqual(sleeps, [70, 140, 280], 'the first poll comes soon, then the pause doubles up to pollIntervalMs');
      const paths = events.flatMap((event) => (event.type === 'request' ? [`${event.method} ${event.path} ${event.httpStatus}`] : []));
      assert.deepEqual(paths, [
        `POST ${LOGIN} 200`,
        `POST ${DECLARE}/T1?async=true 202`,
        `GET ${TASK}/task-1 200`,
        `GET ${TASK}/task-1 200`,
        `GET ${TASK}/task-1 200`,
      ]);
    });

    it('finds the task id in selfLink when id is missing', async () => {
      login();
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(202, { ...SUBMITTED, id: undefined });
      const poll = device()
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 200, 'no change')] });
      assert.equal((await harness().client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(poll.isDone());
    });

    it('reports a 202 without a task id as a protocol error', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(202, { results: [] });
      await rejectsWith(harness().client.deployTenants(['T1'], declaration(['T1'])), 'protocol', /no task id/);
    });

    const finished: Array<[name: string, results: Array<Record<string, unknown>>, status: string, httpStatus: number, errors: string[]]> = [
      [
        'mixed results → partial',
        [result('T1', 200, 'success'), result('T2', 422, 'declaration failed', { response: 'T2 broke' })],
        'partial',
        207,
        ['T2 broke'],
      ],
      [
        'all tenants failed → rejected',
        [
          result('T1', 422, 'declaration failed', { response: 'T1 broke' }),
          result('T2', 422, 'declaration failed', { response: 'T2 broke' }),
        ],
        'rejected',
        422,
        ['T1 broke', 'T2 broke'],
      ],
      [
        'an invalid declaration → rejected with its errors',
        [{ code: 422, message: 'declaration is invalid', errors: ['/T1/app: should be object', '/T2: bad'] }],
        'rejected',
        422,
        ['/T1/app: should be object; /T2: bad'],
      ],
    ];
    for (const [name, results, status, httpStatus, errors] of finished) {
      it(`derives the outcome from the finished task: ${name}`, async () => {
        login();
        device().post(`${DECLARE}/T1,T2`).query(true).reply(202, SUBMITTED);
        device().get(`${TASK}/task-1`).reply(200, { id: 'task-1', results });
        const outcome = await harness().client.deployTenants(['T1', 'T2'], declaration(['T1', 'T2']));
        assert.equal(outcome.status, status);
        assert.equal(outcome.httpStatus, httpStatus);
        assert.deepEqual(outcome.errors, errors);
        assert.equal(outcome.results.length, results.length);
      });
    }

    it('gives up with timeout when the task stays in progress beyond taskTimeoutMs', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(202, SUBMITTED);
      const poll = device().get(`${TASK}/task-1`).times(6).reply(200, IN_PROGRESS);
      const { client, sleeps } = harness({ pollIntervalMs: 1000, taskTimeoutMs: 3500, firstPollMs: 100 });
      await rejectsWith(client.deployTenants(['T1'], declaration(['T1'])), 'timeout', /task-1 still in progress after 3500 ms/);
      assert.ok(poll.isDone());
      assert.deepEqual(sleeps, [100, 200, 400, 800, 1000, 1000]);
    });

    it('reports a task that disappeared (404) as a protocol error', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(202, SUBMITTED);
      device().get(`${TASK}/task-1`).reply(404, { message: 'No record found with ID of task-1' });
      await rejectsWith(harness().client.deployTenants(['T1'], declaration(['T1'])), 'protocol', /task-1 not found/);
    });

    it('reports a cancelled task as a protocol error', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(202, SUBMITTED);
      device()
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [{ message: 'task cancelled', code: 0, tenant: '' }] });
      await rejectsWith(harness().client.deployTenants(['T1'], declaration(['T1'])), 'protocol', /cancelled/);
    });

    it('retries a busy poll', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).reply(202, SUBMITTED);
      const poll = device()
        .get(`${TASK}/task-1`)
        .reply(503, BUSY_BODY)
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 200, 'success')] });
      const { client, sleeps } = harness();
      assert.equal((await client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(poll.isDone());
      assert.deepEqual(sleeps, [2, 250]);
    });

    it('posts again when the task ended with 503 (another writer held the AS3 lock)', async () => {
      login();
      const posts = device().post(`${DECLARE}/T1`).query(true).times(2).reply(202, SUBMITTED);
      device()
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [{ ...BUSY_BODY }] })
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 200, 'success')] });
      const { client, events } = harness();
      assert.equal((await client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(posts.isDone());
      assert.match(retryEvents(events)[0]?.reason ?? '', /Configuration operation in progress/);
    });

    it('gives up with busy when every post ends with a 503 task', async () => {
      login();
      device().post(`${DECLARE}/T1`).query(true).times(3).reply(202, SUBMITTED);
      device()
        .get(`${TASK}/task-1`)
        .times(3)
        .reply(200, { id: 'task-1', results: [{ ...BUSY_BODY }] });
      await rejectsWith(harness({ maxRetries: 2 }).client.deployTenants(['T1'], declaration(['T1'])), 'busy', /gave up after 2 retries/);
    });
  });

  describe('deployApplications', () => {
    it('posts the applications with schemaVersion to /declare/<tenant>/applications', async () => {
      login();
      const apps: Record<string, As3Application> = {
        web: { class: 'Application', template: 'generic', vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'] } },
        api: { class: 'Application', template: 'generic' },
      };
      const scope = device()
        .post(`${DECLARE}/T1/applications`, { schemaVersion: '3.56.0', web: apps['web'], api: apps['api'] } as nock.RequestBodyMatcher)
        .query({ async: 'true' })
        .reply(200, { results: [result('T1', 200, 'success')] });
      const outcome = await harness().client.deployApplications('T1', '3.56.0', apps);
      assert.ok(scope.isDone());
      assert.equal(outcome.status, 'ok');
    });

    it('handles 202 and the task like deployTenants', async () => {
      login();
      device().post(`${DECLARE}/T1/applications`).query(true).reply(202, SUBMITTED);
      device()
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 422, 'declaration failed', { response: 'bad app' })] });
      const outcome = await harness().client.deployApplications('T1', '3.56.0', { a: { class: 'Application', template: 'generic' } });
      assert.equal(outcome.status, 'rejected');
      assert.deepEqual(outcome.errors, ['bad app']);
    });
  });

  describe('transient failures', () => {
    it('retries 503 with growing delays, then succeeds', async () => {
      login();
      const scope = device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .times(3)
        .reply(503, BUSY_BODY)
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(200, { results: [result('T1', 200, 'success')] });
      const { client, sleeps, events } = harness();
      assert.equal((await client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(scope.isDone());
      assert.deepEqual(sleeps, [250, 500, 1000]);
      const retries = retryEvents(events);
      assert.deepEqual(
        retries.map((event) => [event.attempt, event.delayMs, event.method, event.path]),
        [
          [1, 250, 'POST', `${DECLARE}/T1?async=true`],
          [2, 500, 'POST', `${DECLARE}/T1?async=true`],
          [3, 1000, 'POST', `${DECLARE}/T1?async=true`],
        ],
      );
      assert.match(retries[0]?.reason ?? '', /HTTP 503: Error: Configuration operation in progress/);
    });

    it('keeps delays within retryMaxMs', async () => {
      login();
      device().get(INFO).times(5).reply(503, BUSY_BODY).get(INFO).reply(200, { version: '3.56.0' });
      const { client, sleeps } = harness({ retryBaseMs: 400, retryMaxMs: 1000, random: () => 0.999 });
      await client.info();
      assert.deepEqual(sleeps, [399, 799, 999, 999, 999]);
    });

    it('gives up with busy after maxRetries 503 answers', async () => {
      login();
      const scope = device().post(`${DECLARE}/T1`).query(true).times(4).reply(503, BUSY_BODY);
      const { client, sleeps } = harness({ maxRetries: 3 });
      const error = await rejectsWith(client.deployTenants(['T1'], declaration(['T1'])), 'busy', /gave up after 3 retries/);
      assert.equal(error.httpStatus, 503);
      assert.ok(scope.isDone());
      assert.equal(sleeps.length, 3);
    });

    const gatewayCases: Array<[status: number, kind: BigipErrorKind]> = [
      [502, 'unreachable'],
      [504, 'timeout'],
    ];
    for (const [status, kind] of gatewayCases) {
      it(`retries ${status} and gives up with ${kind}`, async () => {
        login();
        const scope = device().get(INFO).times(3).reply(status, '<html>Bad Gateway</html>');
        const { client, sleeps } = harness({ maxRetries: 2 });
        const error = await rejectsWith(client.info(), kind, new RegExp(`HTTP ${status}`));
        assert.equal(error.httpStatus, status);
        assert.ok(scope.isDone());
        assert.equal(sleeps.length, 2);
      });
    }

    it('retries a request that got no answer within timeoutMs', async () => {
      // The timeout is axios's wall-clock timer over the whole exchange, so it also runs for the
      // retry, whose answer comes at once: timeoutMs must outlast any stall of a busy machine (a
      // 40 ms budget let the retry time out too under load). The first answer is held far beyond
      // it (and dropped after the test), so only the timeout can end the first exchange.
      login();
      const scope = device().get(INFO).delay(60_000).reply(200, { version: '3.56.0' }).get(INFO).reply(200, { version: '3.55.0' });
      const { client, events } = harness({ timeoutMs: 1_000 });
      assert.equal((await client.info()).version, '3.55.0');
      assert.ok(scope.isDone());
      assert.match(retryEvents(events)[0]?.reason ?? '', /no answer in time/);
      const timedOut = events.find((event) => event.type === 'request' && event.path === INFO && event.httpStatus === undefined);
      assert.ok(timedOut, 'the exchange without an answer is still reported');
    });

    it('gives up with timeout after ETIMEDOUT on every try', async () => {
      login();
      const scope = device().get(INFO).times(3).replyWithError(socketError('ETIMEDOUT', 'connect ETIMEDOUT 192.0.2.1:443'));
      const { client, sleeps } = harness({ maxRetries: 2 });
      await rejectsWith(client.info(), 'timeout', /ETIMEDOUT.*gave up after 2 retries/);
      assert.ok(scope.isDone());
      assert.deepEqual(sleeps, [250, 500]);
    });

    it('retries a reset connection, then succeeds', async () => {
      login();
      const scope = device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .replyWithError(socketError('ECONNRESET', 'socket hang up'))
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(200, { results: [result('T1', 200, 'success')] });
      const { client, events } = harness();
      assert.equal((await client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(scope.isDone());
      assert.match(retryEvents(events)[0]?.reason ?? '', /^connection reset \(ECONNRESET socket hang up\)$/);
    });

    it('retries a refused connection during login and gives up saying it cannot connect, not that the login was refused', async () => {
      const scope = nock(BASE).post(LOGIN).times(3).replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.1:443'));
      const { client, events } = harness({ maxRetries: 2 });
      const error = await rejectsWith(
        client.info(),
        'unreachable',
        /^cannot connect to https:\/\/bigip\.example\.test: connection refused \(connect ECONNREFUSED 192\.0\.2\.1:443\); gave up after 2 retries \(POST \/mgmt\/shared\/authn\/login\)$/,
      );
      assert.doesNotMatch(error.message, /login.*refused/);
      assert.ok(scope.isDone());
      assert.deepEqual(
        events.filter((event) => event.type === 'login'),
        [{ type: 'login', ok: false, kind: 'unreachable' }],
      );
    });

    const unreachable: Array<[code: string, nodeMessage: string, kind: BigipErrorKind, words: string, retried: boolean]> = [
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND bigip.example.test', 'unreachable', 'host name not found', false],
      ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN bigip.example.test', 'unreachable', 'host name lookup failed', true],
      ['ETIMEDOUT', 'connect ETIMEDOUT 192.0.2.1:443', 'timeout', 'connection timed out', true],
      ['EHOSTUNREACH', 'connect EHOSTUNREACH 192.0.2.1:443', 'unreachable', 'host unreachable', true],
      ['ENETUNREACH', 'connect ENETUNREACH 192.0.2.1:443', 'unreachable', 'network unreachable', true],
    ];
    for (const [code, nodeMessage, kind, words, retried] of unreachable) {
      it(`reports ${code} at login as "cannot connect to <url>: ${words}"`, async () => {
        const scope = nock(BASE)
          .post(LOGIN)
          .times(retried ? 2 : 1)
          .replyWithError(socketError(code, nodeMessage));
        const { client, events } = harness({ maxRetries: 1 });
        const error = await rejectsWith(
          client.info(),
          kind,
          new RegExp(`^cannot connect to https://bigip\\.example\\.test: ${words} \\(${nodeMessage}\\)`),
        );
        assert.doesNotMatch(error.message, /refused/);
        assert.ok(scope.isDone());
        assert.deepEqual(
          events.filter((event) => event.type === 'login'),
          [{ type: 'login', ok: false, kind }],
        );
      });
    }

    it('does not retry a certificate that fails verification', async () => {
      const scope = nock(BASE).post(LOGIN).once().replyWithError(socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'));
      const { client, sleeps } = harness();
      await rejectsWith(client.info(), 'unreachable', /TLS verification failed.*insecure/);
      assert.ok(scope.isDone());
      assert.deepEqual(sleeps, []);
    });
  });

  describe('stopping (signal)', () => {
    it('ends a retry backoff at once when the signal aborts, and retries no more', async () => {
      login();
      const scope = device().get(INFO).reply(503, BUSY_BODY);
      const stop = new AbortController();
      const { client } = harness({
        signal: stop.signal,
        // The backoff never ends by itself: only the abort can end it.
        sleep: () => {
          stop.abort();
          return new Promise<void>(() => undefined);
        },
      });
      await rejectsWith(client.info(), 'busy', /^GET \/mgmt\/shared\/appsvcs\/info: HTTP 503: .*; not retried: stopping$/);
      assert.ok(scope.isDone());
    });

    it('follows a declaration already posted to its end, and posts no new one', async () => {
      login();
      const post = device().post(`${DECLARE}/T1`).query(true).reply(202, SUBMITTED);
      const poll = device()
        .get(`${TASK}/task-1`)
        .reply(200, IN_PROGRESS)
        .get(`${TASK}/task-1`)
        .reply(200, { id: 'task-1', results: [result('T1', 200, 'success')] });
      const stop = new AbortController();
      const { client } = harness({
        signal: stop.signal,
        sleep: () => {
          stop.abort();
          return Promise.resolve();
        },
      });
      assert.equal((await client.deployTenants(['T1'], declaration(['T1']))).status, 'ok');
      assert.ok(post.isDone() && poll.isDone(), 'polled after the signal');
      await rejectsWith(
        client.deployTenants(['T2'], declaration(['T2'])),
        'unreachable',
        /^POST \/mgmt\/shared\/appsvcs\/declare\/T2\?async=true: not sent: stopping$/,
      );
    });
  });

  describe('events', () => {
    it('reports each exchange with method, path, status, duration and bytes sent, and nothing else', async () => {
      login();
      device()
        .post(`${DECLARE}/T1`)
        .query(true)
        .reply(200, { results: [result('T1', 200, 'success')] });
      const { client, events } = harness();
      const body = declaration(['T1']);
      await client.deployTenants(['T1'], body);
      const requests = events.filter((event) => event.type === 'request');
      assert.equal(requests.length, 2);
      assert.deepEqual(requests[1], {
        type: 'request',
        method: 'POST',
        path: `${DECLARE}/T1?async=true`,
        httpStatus: 200,
        ms: 0,
        bytesSent: Buffer.byteLength(JSON.stringify(body)),
      });
      assert.deepEqual(Object.keys(requests[0] ?? {}).sort(), ['bytesSent', 'httpStatus', 'method', 'ms', 'path', 'type']);
      assert.deepEqual(
        events.filter((event) => event.type === 'login'),
        [{ type: 'login', ok: true }],
      );
    });

    it('redacts secrets a device echoes into a retry reason', async () => {
      login();
      device()
        .get(INFO)
        .reply(503, { message: `busy, token ${TOKEN} user ${USERNAME}` })
        .get(INFO)
        .reply(200, { version: '3.56.0' });
      const { client, events } = harness();
      await client.info();
      assert.match(retryEvents(events)[0]?.reason ?? '', /busy, token \[redacted\] user automation/);
    });

    it('ignores a listener that throws', async () => {
      login();
      device().get(INFO).reply(200, { version: '3.56.0' });
      const { client } = harness({
        onEvent: () => {
          throw new Error('listener broke');
        },
      });
      assert.equal((await client.info()).version, '3.56.0');
    });
  });
});

describe('BigipRestClient TLS verification (local HTTPS server)', () => {
  let server: https.Server;
  let url: string;
  let requests = 0;

  before(async () => {
    nock.enableNetConnect('127.0.0.1');
    server = https.createServer({ cert: API_CERT + TEST_CA_CERT, key: API_KEY }, (request, response) => {
      requests++;
      response.setHeader('Content-Type', 'application/json');
      if (request.url === LOGIN) response.end(JSON.stringify({ token: { token: TOKEN, timeout: 1200 } }));
      else response.end(JSON.stringify({ version: '3.56.0', schemaCurrent: '3.56.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    nock.enableNetConnect();
  });
  beforeEach(() => {
    requests = 0;
  });

  function client(options: Partial<BigipRestClientOptions>): BigipRestClient {
    return new BigipRestClient({ url, credentials: createCredentials(USERNAME, PASSWORD), sleep: () => Promise.resolve(), ...options });
  }

  it('verifies the certificate by default and does not retry the failure', async () => {
    const bigip = client({});
    const error = await rejectsWith(bigip.info(), 'unreachable', /TLS verification failed/);
    assert.ok(!error.message.includes(PASSWORD));
    assert.equal(requests, 0);
    bigip.close();
  });

  it('trusts the given CA bundle (then checks the host name)', async () => {
    const bigip = client({ ca: TEST_CA_CERT });
    // The chain is now trusted; what fails is the certificate's name (api.example.com, not 127.0.0.1).
    await rejectsWith(bigip.info(), 'unreachable', /ERR_TLS_CERT_ALTNAME_INVALID/);
    bigip.close();
  });

  it('talks to a device with an untrusted certificate when insecure', async () => {
    const bigip = client({ insecure: true });
    assert.equal((await bigip.info()).version, '3.56.0');
    assert.equal(requests, 2);
    bigip.close();
  });
});

describe('BigipRestClient against a closed port on 127.0.0.1', () => {
  before(() => nock.enableNetConnect('127.0.0.1'));
  after(() => nock.enableNetConnect());

  it('says it cannot connect (connection refused), not that the login was refused', async () => {
    // A port that was just free: listen, note it, close; nothing listens there any more.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const events: BigipEvent[] = [];
    const bigip = new BigipRestClient({
      url: `http://127.0.0.1:${port}`,
      credentials: createCredentials(USERNAME, PASSWORD),
      maxRetries: 1,
      sleep: () => Promise.resolve(),
      onEvent: (event) => events.push(event),
    });
    const error = await rejectsWith(
      bigip.info(),
      'unreachable',
      new RegExp(
        `^cannot connect to http://127\\.0\\.0\\.1:${port}: connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`,
      ),
    );
    assert.doesNotMatch(error.message, /login (as .*)?refused/i);
    assert.deepEqual(
      events.filter((event) => event.type === 'login'),
      [{ type: 'login', ok: false, kind: 'unreachable' }],
    );
    bigip.close();
  });
});
