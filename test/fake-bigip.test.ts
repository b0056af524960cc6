/**
 * The fake BIG-IP the integration tests run against: if it drifts from what AS3 does
 * (reference/as3-api.md), the client and apply-engine tests prove nothing. These tests pin the
 * behaviour the controller relies on: token auth, 200/207/422 per-tenant results, deletes by empty
 * tenant, async tasks, the one-write lock, fault injection and per-application deployment.
 */
import assert from 'node:assert/strict';
import { skipWithoutOfficialSchema } from './support/as3-validation.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip, FakeBigipOptions } from './support/fake-bigip.js';

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
}

const DECLARE = '/mgmt/shared/appsvcs/declare';

function application(pool = 'p', extra: Json = {}): Json {
  return {
    class: 'Application',
    template: 'generic',
    vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], virtualPort: 80, pool },
    p: { class: 'Pool', members: [{ servicePort: 80, serverAddresses: ['10.1.0.1'], shareNodes: true }] },
    ...extra,
  };
}

function tenant(apps: Json = { A1: application() }): Json {
  return { class: 'Tenant', label: 'kube-as3', remark: 'managed by kube-as3 instance default', ...apps };
}

function declaration(tenants: Json, schemaVersion = '3.56.0'): Json {
  return {
    class: 'AS3',
    action: 'deploy',
    persist: true,
    declaration: { class: 'ADC', schemaVersion, id: 'kube-as3-test', label: 'kube-as3', remark: 'x', ...tenants },
  };
}

describe('fake BIG-IP (AS3 service for integration tests)', () => {
  let fake: FakeBigip;
  let token: string;

  async function start(options: FakeBigipOptions = {}): Promise<void> {
    if (fake) await fake.close();
    fake = await startFakeBigip(options);
    token = await login();
  }

  async function login(password = 'admin'): Promise<string> {
    const answer = await call('POST', '/mgmt/shared/authn/login', { username: 'admin', password, loginProviderName: 'tmos' }, null);
    return (answer.body['token'] as Json | undefined)?.['token'] as string;
  }

  async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<Answer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (auth !== null) headers['X-F5-Auth-Token'] = auth;
    const res = await fetch(fake.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
  }

  function results(answer: Answer): Array<[unknown, unknown, unknown]> {
    return (answer.body['results'] as Json[]).map((r) => [r['tenant'], r['code'], r['message']]);
  }

  beforeEach(() => start());
  after(() => fake.close());

  it('hands out a token for the configured credentials and refuses other requests without one', async () => {
    assert.match(token, /^[0-9A-F]+$/);
    assert.equal(fake.logins, 1);
    assert.equal((await call('POST', '/mgmt/shared/authn/login', { username: 'admin', password: 'wrong' }, null)).status, 401);
    assert.deepEqual(await call('GET', '/mgmt/shared/appsvcs/info', undefined, null), {
      status: 401,
      body: { code: 401, message: 'X-F5-Auth-Token does not exist' },
    });
    fake.expireTokens();
    assert.equal((await call('POST', DECLARE, declaration({ T1: tenant() }))).status, 401, 'expired token');
    token = await login();
    assert.equal((await call('GET', '/mgmt/shared/appsvcs/info')).status, 200, 're-login works');
    assert.equal(fake.logins, 2);
    await start({ username: 'bigip', password: 's3cret' });
    assert.equal(token, undefined, 'admin/admin no longer accepted');
  });

  it('reports the configured AS3 version in /info', async () => {
    assert.deepEqual((await call('GET', '/mgmt/shared/appsvcs/info')).body, {
      version: '3.56.0',
      release: '1',
      schemaCurrent: '3.56.0',
      schemaMinimum: '3.0.0',
    });
    await start({ version: '3.49.0' });
    assert.equal((await call('GET', '/mgmt/shared/appsvcs/info')).body['schemaCurrent'], '3.49.0');
  });

  it('answers 204 while empty, then stores a posted tenant and returns it as an ADC declaration', async () => {
    assert.equal((await call('GET', DECLARE)).status, 204);
    const posted = await call('POST', DECLARE, declaration({ T1: tenant() }));
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.body['results'], [{ code: 200, message: 'success', tenant: 'T1', host: 'localhost' }]);
    assert.deepEqual((posted.body['declaration'] as Json)['T1'], tenant());
    const stored = await call('GET', DECLARE);
    assert.deepEqual(stored.body, {
      class: 'ADC',
      schemaVersion: '3.56.0',
      id: 'kube-as3-test',
      label: 'kube-as3',
      remark: 'x',
      T1: tenant(),
    });
    assert.deepEqual(fake.tenants(), { T1: tenant() });
  });

  it('says "no change" when the same tenant is posted again', async () => {
    await call('POST', DECLARE, declaration({ T1: tenant() }));
    assert.deepEqual(results(await call('POST', `${DECLARE}/T1`, declaration({ T1: tenant() }))), [['T1', 200, 'no change']]);
  });

  it('processes only the tenants named in the URL that are also in the body', async () => {
    const answer = await call('POST', `${DECLARE}/T1,T3`, declaration({ T1: tenant(), T2: tenant() }));
    assert.deepEqual(results(answer), [['T1', 200, 'success']]);
    assert.deepEqual(Object.keys(fake.tenants()), ['T1']);
    assert.deepEqual(
      fake.posts.map((p) => p.tenantsInUrl),
      [['T1', 'T3']],
    );
  });

  describe('references only a device can check', () => {
    const dangling = {
      'a `use` pointer': {
        app: application('p', { p2: { class: 'Pool', monitors: [{ use: 'nope' }] } }),
        error: /^\/T1\/A1\/p2\/monitors\/0: .*\/T1\/A1\/nope does not exist$/,
      },
      'a string pool pointer': { app: application('missing'), error: /^\/T1\/A1\/vs\/pool: .*\/T1\/A1\/missing does not exist$/ },
      'an iRule pointer': {
        app: application('p', { vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], iRules: [{ use: 'r' }] } }),
        error: /vs\/iRules\/0: .*\/T1\/A1\/r does not exist/,
      },
      'a Shared path': {
        app: application('p', { p: { class: 'Pool', monitors: [{ use: '/T1/Shared/m' }] } }),
        error: /\/T1\/Shared\/m does not exist/,
      },
      'an unknown /Common object': {
        app: application('p', {
          vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], pool: 'p', profileHTTP: { bigip: '/Common/x' } },
        }),
        error: /^\/T1\/A1\/vs\/profileHTTP: .*\/Common\/x does not exist$/,
      },
    };
    for (const [what, { app, error }] of Object.entries(dangling)) {
      it(`fails only the tenant with ${what} (207) and applies the others`, async () => {
        const answer = await call('POST', DECLARE, declaration({ T1: tenant({ A1: app }), T2: tenant() }));
        assert.equal(answer.status, 207);
        assert.deepEqual(results(answer), [
          ['T1', 422, 'declaration failed'],
          ['T2', 200, 'success'],
        ]);
        assert.match((answer.body['results'] as Json[])[0]?.['response'] as string, error);
        assert.deepEqual(Object.keys(fake.tenants()), ['T2']);
      });
    }

    it('accepts pointers into the Shared application and known device objects', async () => {
      const shared = { class: 'Application', template: 'shared', m: { class: 'Monitor', monitorType: 'http' } };
      const app = application('p', {
        p: { class: 'Pool', monitors: [{ use: '/T1/Shared/m' }, { bigip: '/Common/http' }] },
        vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], pool: 'p', profileHTTP: { bigip: '/Common/mine' } },
      });
      await start({ knownObjects: ['/Common/http', '/Common/mine'] });
      assert.deepEqual(results(await call('POST', DECLARE, declaration({ T1: tenant({ Shared: shared, A1: app }) }))), [
        ['T1', 200, 'success'],
      ]);
    });

    it('answers 422 when every tenant failed', async () => {
      const answer = await call('POST', DECLARE, declaration({ T1: tenant({ A1: application('missing') }) }));
      assert.equal(answer.status, 422);
      assert.deepEqual(fake.tenants(), {});
    });
  });

  it('rejects a request the official schema refuses as a whole, with its first error, and stores nothing', async function () {
    const bad = declaration({ T1: tenant({ A1: { class: 'Application', vs: { class: 'Service_HTTP', virtualPort: 80 } } }), T2: tenant() });
    skipWithoutOfficialSchema(this);
    const answer = await call('POST', DECLARE, bad);
    assert.equal(answer.status, 422);
    assert.equal(answer.body['message'], 'declaration is invalid');
    assert.equal((answer.body['errors'] as string[]).length, 1);
    assert.match((answer.body['errors'] as string[])[0] ?? '', /^\/T1\/A1\/vs: .*virtualAddresses/);
    assert.deepEqual(fake.tenants(), {});
  });

  it('rejects a schemaVersion newer than schemaCurrent', async () => {
    const answer = await call('POST', DECLARE, declaration({ T1: tenant() }, '3.57.0'));
    assert.equal(answer.status, 422);
    assert.match((answer.body['errors'] as string[])[0] ?? '', /schemaVersion/);
  });

  it('deletes a tenant posted empty, and says "no change" for one it does not hold', async () => {
    await call('POST', DECLARE, declaration({ T1: tenant() }));
    const answer = await call(
      'POST',
      `${DECLARE}/T1,T9`,
      declaration({ T1: { class: 'Tenant', label: 'kube-as3' }, T9: { class: 'Tenant' } }),
    );
    assert.deepEqual(results(answer), [
      ['T1', 200, 'success'],
      ['T9', 200, 'no change'],
    ]);
    assert.equal((await call('GET', DECLARE)).status, 204);
  });

  it('accepts a bare ADC declaration and removes tenants with DELETE /declare/<tenants>', async () => {
    const bare = declaration({ T1: tenant(), T2: tenant() })['declaration'];
    assert.deepEqual(results(await call('POST', DECLARE, bare)), [
      ['T1', 200, 'success'],
      ['T2', 200, 'success'],
    ]);
    assert.deepEqual(results(await call('DELETE', `${DECLARE}/T1`)), [['T1', 200, 'success']]);
    assert.deepEqual(Object.keys(fake.tenants()), ['T2']);
    assert.equal((await call('POST', DECLARE, { class: 'Tenant' })).status, 422, 'neither AS3 nor ADC');
  });

  it('runs ?async=true as a task that is "in progress" for the configured polls, then gives the results', async () => {
    await start({ asyncPollsBeforeDone: 2 });
    const submitted = await call('POST', `${DECLARE}/T1?async=true`, declaration({ T1: tenant() }));
    assert.equal(submitted.status, 202);
    assert.deepEqual(submitted.body['results'], [
      { message: 'Declaration successfully submitted', tenant: '', host: '', runTime: 0, code: 0 },
    ]);
    const task = `/mgmt/shared/appsvcs/task/${String(submitted.body['id'])}`;
    for (let i = 0; i < 2; i++) assert.equal(((await call('GET', task)).body['results'] as Json[])[0]?.['message'], 'in progress');
    assert.deepEqual(fake.tenants(), {}, 'not applied while running');
    const done = await call('GET', task);
    assert.deepEqual(results(done), [['T1', 200, 'success']]);
    assert.deepEqual(Object.keys(done.body['declaration'] as Json), ['class', 'schemaVersion', 'id', 'label', 'remark', 'T1']);
    assert.deepEqual(await call('GET', task), done, 'the record stays');
    assert.equal((await call('GET', '/mgmt/shared/appsvcs/task/unknown')).status, 404);
  });

  it('refuses a second write with 503 while a task still runs, and accepts it once the task finished', async () => {
    const submitted = await call('POST', `${DECLARE}?async=true`, declaration({ T1: tenant() }));
    const busy = await call('POST', DECLARE, declaration({ T2: tenant() }));
    assert.deepEqual(busy, {
      status: 503,
      body: { code: 503, message: 'Error: Configuration operation in progress on device localhost, please try again in 2 minutes' },
    });
    assert.equal((await call('GET', DECLARE)).status, 204, 'reads are not locked');
    const task = `/mgmt/shared/appsvcs/task/${String(submitted.body['id'])}`;
    await call('GET', task);
    await call('GET', task);
    assert.equal((await call('POST', DECLARE, declaration({ T2: tenant() }))).status, 200);
    assert.deepEqual(Object.keys(fake.tenants()), ['T1', 'T2']);
    assert.equal(fake.posts.length, 3, 'the refused write is recorded too');
  });

  it('fails the next writes as told without applying them, then recovers', async () => {
    fake.failNext(2, 503);
    for (let i = 0; i < 2; i++) assert.equal((await call('POST', DECLARE, declaration({ T1: tenant() }))).status, 503);
    assert.deepEqual(fake.tenants(), {});
    assert.equal((await call('POST', DECLARE, declaration({ T1: tenant() }))).status, 200);
    assert.equal(fake.posts.length, 3);
  });

  it('resets the connection of the next request', async () => {
    fake.resetNext(1);
    await assert.rejects(call('GET', DECLARE));
    assert.equal((await call('GET', DECLARE)).status, 204);
  });

  describe('per-application deployment', () => {
    const APPS = `${DECLARE}/T1/applications`;

    it('upserts only the posted application and keeps the others and the tenant label', async () => {
      await call('POST', DECLARE, declaration({ T1: tenant() }));
      const changed = application('p', {
        p: { class: 'Pool', members: [{ servicePort: 8080, serverAddresses: ['10.1.0.2'], shareNodes: true }] },
      });
      const answer = await call('POST', APPS, { schemaVersion: '3.56.0', A2: application(), A1: changed });
      assert.deepEqual(results(answer), [['T1', 200, 'success']]);
      assert.deepEqual(fake.tenants()['T1'], tenant({ A1: changed, A2: application() }));
      assert.deepEqual(fake.posts[1]?.tenantsInUrl, ['T1']);
    });

    it('creates a missing tenant without label/remark, checks references, and deletes one application', async () => {
      assert.equal((await call('POST', APPS, { schemaVersion: '3.56.0', A1: application('missing') })).status, 422);
      assert.equal((await call('POST', APPS, { schemaVersion: '3.56.0', A1: application(), A2: application() })).status, 200);
      assert.deepEqual(fake.tenants(), { T1: { class: 'Tenant', A1: application(), A2: application() } });
      assert.equal((await call('DELETE', `${APPS}/A1`)).status, 200);
      assert.deepEqual(Object.keys(fake.tenants()['T1'] ?? {}), ['class', 'A2']);
      assert.equal((await call('DELETE', `${APPS}/A1`)).status, 404);
      await call('DELETE', `${APPS}/A2`);
      assert.deepEqual(fake.tenants(), {}, 'the last application takes the tenant with it');
    });

    it('is not there before AS3 3.50', async () => {
      await start({ version: '3.49.0' });
      assert.equal((await call('POST', APPS, { schemaVersion: '3.49.0', A1: application() })).status, 404);
      assert.equal((await call('DELETE', `${APPS}/A1`)).status, 404);
    });
  });
});
