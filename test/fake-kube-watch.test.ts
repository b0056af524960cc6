/**
 * The fake API server's watch, label selector, status subresource and PATCH, spoken to over plain
 * HTTP: tests of the controller's watch and status writers rely on these answering as a real API
 * server does (events after a version, 410 for an expired one, status writes that touch only status).
 */
import assert from 'node:assert/strict';
import { objectKey, startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';

const GROUP = 'cis.f5.com';
const COLLECTION = `/apis/${GROUP}/v1/namespaces/shop/virtualservers`;

type Json = Record<string, unknown>;
type WatchEvent = {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string } & Json;
};

describe('fake Kubernetes API server: watch, selectors, status and PATCH', () => {
  let fake: FakeKubeApi;
  beforeEach(async () => {
    fake = await startFakeKubeApi({ historyLimit: 3 });
  });
  afterEach(async () => {
    await fake.close();
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; json: Json }> {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  }

  /** Opens a watch (resolved once the headers arrive), runs `during`, ends the streams and returns what was sent. */
  async function watchWhile(query: string, during: () => void | Promise<void>): Promise<WatchEvent[]> {
    const res = await fetch(`${fake.url}${COLLECTION}?${query}`);
    assert.equal(res.status, 200);
    await during();
    fake.closeWatches();
    return (await res.text())
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as WatchEvent);
  }

  const vs = (name: string, labels: Record<string, string> = {}, spec: Json = {}): Json => ({
    kind: 'VirtualServer',
    metadata: { name, namespace: 'shop', labels },
    spec,
  });
  const summary = (events: WatchEvent[]): string[] => events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.reason}`);

  it('lists with the current resourceVersion and an equality label selector', async () => {
    fake.put(GROUP, 'v1', 'virtualservers', vs('a', { f5cr: 'true', tier: 'web' }));
    fake.put(GROUP, 'v1', 'virtualservers', vs('b', { f5cr: 'true' }));
    const list = await call('GET', `${COLLECTION}?labelSelector=${encodeURIComponent('f5cr=true,tier=web')}`);
    assert.deepEqual(
      [(list.json['metadata'] as Json)['resourceVersion'], (list.json['items'] as Json[]).map((i) => (i['metadata'] as Json)['name'])],
      ['2', ['a']],
    );
    const bad = await call('GET', `${COLLECTION}?labelSelector=${encodeURIComponent('a=(')}`);
    assert.deepEqual([bad.status, bad.json['reason']], [400, 'BadRequest']);
  });

  it('replays the changes after a version, streams live ones, and follows objects in and out of a selector', async () => {
    fake.put(GROUP, 'v1', 'virtualservers', vs('a', { f5cr: 'true' }));
    const from = fake.resourceVersion();
    fake.put(GROUP, 'v1', 'virtualservers', vs('b', { f5cr: 'true' }));
    const events = await watchWhile(`watch=1&resourceVersion=${from}&labelSelector=f5cr%3Dtrue`, async () => {
      await fake.waitForWatches(1);
      assert.equal(fake.openWatches(), 1);
      fake.put(GROUP, 'v1', 'virtualservers', vs('a', {}));
      fake.put(GROUP, 'v1', 'virtualservers', vs('a', { f5cr: 'true' }));
      fake.delete(GROUP, 'v1', 'virtualservers', 'shop', 'b');
    });
    assert.deepEqual(summary(events), ['ADDED b', 'DELETED a', 'ADDED a', 'DELETED b']);
    assert.equal(events[3]?.object.metadata?.resourceVersion, fake.resourceVersion(), 'a deletion carries its own version');
    assert.equal(fake.openWatches(), 0);
  });

  it('starts a watch without a version with every object, and answers an expired version with 410 Expired', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) fake.put(GROUP, 'v1', 'virtualservers', vs(name));
    assert.deepEqual(summary(await watchWhile('watch=true', () => undefined)), ['ADDED a', 'ADDED b', 'ADDED c', 'ADDED d', 'ADDED e']);
    assert.deepEqual(summary(await watchWhile('watch=true&resourceVersion=2', () => undefined)), ['ADDED c', 'ADDED d', 'ADDED e']);
    const expired = await watchWhile('watch=true&resourceVersion=1', () => undefined);
    assert.deepEqual(
      expired.map((e) => [e.type, e.object.code, e.object.reason]),
      [['ERROR', 410, 'Expired']],
    );
  });

  it('refuses the next watches with the given status, only for the given path, as many times as asked', async () => {
    fake.failWatches(503, { times: 2, path: COLLECTION });
    const other = await fetch(`${fake.url}/api/v1/services?watch=true`);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${fake.url}${COLLECTION}?watch=true`)).status);
    assert.deepEqual([other.status, ...statuses], [200, 503, 503, 200]);
  });

  it('writes status through PUT and PATCH of /status without touching the rest, with resourceVersion as a precondition', async () => {
    const created = fake.put(GROUP, 'v1', 'virtualservers', vs('a', { f5cr: 'true' }, { host: 'www.example.com' }));
    const version = (created['metadata'] as Json)['resourceVersion'];
    const events = await watchWhile(`watch=true&resourceVersion=${String(version)}`, async () => {
      const put = await call('PUT', `${COLLECTION}/a/status`, {
        metadata: { name: 'a', resourceVersion: version },
        spec: { host: 'ignored' },
        status: { status: 'Ok' },
      });
      assert.equal(put.status, 200);
      const stale = await call('PUT', `${COLLECTION}/a/status`, {
        metadata: { name: 'a', resourceVersion: version },
        status: { status: 'Error' },
      });
      assert.deepEqual([stale.status, stale.json['reason']], [409, 'Conflict']);
      const merged = await call(
        'PATCH',
        `${COLLECTION}/a/status`,
        { status: { vsAddress: '10.9.0.10' }, spec: { host: 'ignored' } },
        'application/merge-patch+json',
      );
      assert.equal(merged.status, 200);
      const again = await call('PATCH', `${COLLECTION}/a/status`, { status: { vsAddress: '10.9.0.10' } }, 'application/merge-patch+json');
      assert.equal(
        (again.json['metadata'] as Json)['resourceVersion'],
        (merged.json['metadata'] as Json)['resourceVersion'],
        'a patch that changes nothing is no write',
      );
    });
    const object = fake.objects().get(objectKey(GROUP, 'virtualservers', 'shop', 'a')) as Json;
    assert.deepEqual(
      [object['spec'], object['status'], (object['metadata'] as Json)['generation']],
      [{ host: 'www.example.com' }, { status: 'Ok', vsAddress: '10.9.0.10' }, 1],
    );
    assert.deepEqual(summary(events), ['MODIFIED a', 'MODIFIED a']);
  });

  it('patches an object with JSON patch and merge patch, and refuses strategic merge patch', async () => {
    fake.put(GROUP, 'v1', 'virtualservers', vs('a', { f5cr: 'true', team: 'web' }, { host: 'www.example.com', snat: 'auto' }));
    const json = await call(
      'PATCH',
      `${COLLECTION}/a`,
      [
        { op: 'replace', path: '/spec/host', value: 'shop.example.com' },
        { op: 'remove', path: '/metadata/labels/team' },
        { op: 'add', path: '/spec/partition', value: 'shop' },
      ],
      'application/json-patch+json',
    );
    assert.equal(json.status, 200);
    const merge = await call(
      'PATCH',
      `${COLLECTION}/a`,
      { spec: { snat: null }, metadata: { annotations: { note: 'x' } } },
      'application/merge-patch+json',
    );
    assert.deepEqual(
      [
        merge.json['spec'],
        (merge.json['metadata'] as Json)['labels'],
        (merge.json['metadata'] as Json)['annotations'],
        (merge.json['metadata'] as Json)['generation'],
      ],
      [{ host: 'shop.example.com', partition: 'shop' }, { f5cr: 'true' }, { note: 'x' }, 3],
    );
    const failures = await Promise.all([
      call('PATCH', `${COLLECTION}/a`, [{ op: 'remove', path: '/spec/missing' }], 'application/json-patch+json'),
      call('PATCH', `${COLLECTION}/a`, { metadata: { resourceVersion: '1' } }, 'application/merge-patch+json'),
      call('PATCH', `${COLLECTION}/a`, { spec: {} }, 'application/strategic-merge-patch+json'),
      call('PATCH', `${COLLECTION}/missing`, { spec: {} }, 'application/merge-patch+json'),
    ]);
    assert.deepEqual(
      failures.map((f) => [f.status, f.json['reason']]),
      [
        [422, 'Invalid'],
        [409, 'Conflict'],
        [415, 'UnsupportedMediaType'],
        [404, 'NotFound'],
      ],
    );
  });
});
