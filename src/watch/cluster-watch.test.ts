/**
 * ClusterWatch driving the real @kubernetes/client-node informers against the fake API server over
 * HTTP: the first lists fill the state, watch events keep it current, and the failures a controller
 * lives through (watch timeouts, expired versions, refused watches, a silently dead connection,
 * a throwing callback) never leave the state holding objects the cluster no longer has.
 * Every wait is on an event (a change applied, a watch opened), never on time.
 */
import assert from 'node:assert/strict';
import { ClusterState } from '../inventory/cluster-state.js';
import type { KnownKind, VirtualServer } from '../kube/types.js';
import { kubeConfigFor, objectKey, startFakeKubeApi } from '../../test/support/fake-kube-api.js';
import type { FakeKubeApi, FakeKubeApiOptions } from '../../test/support/fake-kube-api.js';
import { ClusterWatch } from './cluster-watch.js';
import type { ClusterWatchOptions } from './cluster-watch.js';

/** Informers of an unrestricted watch without Pods: 3 cluster-scoped kinds and 8 namespaced ones. */
const ALL_KINDS = 11;
const CIS = 'cis.f5.com';

type Obj = Record<string, unknown>;

/** Objects as the API server holds them: core kinds without `kind` (lists omit it), CIS ones with it. */
function seed(fake: FakeKubeApi): void {
  fake.put('', 'v1', 'nodes', { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  fake.put('', 'v1', 'namespaces', { metadata: { name: 'shop' } });
  fake.put('', 'v1', 'services', {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    },
  });
  fake.put('discovery.k8s.io', 'v1', 'endpointslices', {
    metadata: { name: 'web-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.1.0.5'],
        conditions: { ready: true },
        nodeName: 'n1',
        targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  fake.put('', 'v1', 'secrets', {
    metadata: { name: 'tls', namespace: 'shop' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
  });
  fake.put('', 'v1', 'pods', { metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } }, spec: { nodeName: 'n1' } });
  fake.put('networking.k8s.io', 'v1', 'ingressclasses', { metadata: { name: 'f5' }, spec: { controller: 'f5.com/cntr-ingress-svcs' } });
  fake.put('networking.k8s.io', 'v1', 'ingresses', {
    metadata: { name: 'shop', namespace: 'shop' },
    spec: {
      ingressClassName: 'f5',
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
        },
      ],
    },
  });
  fake.put(CIS, 'v1', 'virtualservers', {
    kind: 'VirtualServer',
    metadata: { name: 'vs', namespace: 'shop', labels: { f5cr: 'true' } },
    spec: { host: 'www.example.com', virtualServerAddress: '10.9.0.10', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
  });
  fake.put(CIS, 'v1', 'transportservers', {
    kind: 'TransportServer',
    metadata: { name: 'db', namespace: 'shop' },
    spec: { virtualServerPort: 5432 },
  });
  fake.put(CIS, 'v1', 'tlsprofiles', {
    kind: 'TLSProfile',
    metadata: { name: 'edge', namespace: 'shop' },
    spec: { tls: { termination: 'edge' } },
  });
  fake.put(CIS, 'v1', 'policies', {
    kind: 'Policy',
    metadata: { name: 'waf', namespace: 'shop' },
    spec: { l7Policies: { waf: '/Common/waf' } },
  });
}

/** An object exactly as the fake stores it, with the `kind` a list omits. */
function stored(fake: FakeKubeApi, kind: string, group: string, plural: string, namespace: string, name: string): Obj {
  const object = fake.objects().get(objectKey(group, plural, namespace, name)) as Obj | undefined;
  assert.ok(object, `${plural} ${namespace}/${name} is not in the fake`);
  return { ...object, kind };
}

interface Harness {
  fake: FakeKubeApi;
  state: ClusterState;
  watch: ClusterWatch;
  /** kinds passed to onChange, in order */
  changes: KnownKind[];
  errors: Array<{ kind: KnownKind; message: string }>;
  /** backoff delays asked of the injected sleep */
  delays: number[];
  /** resolves once `predicate` holds, re-checked after every change the watch applies */
  until(predicate: () => boolean): Promise<void>;
}

describe('ClusterWatch', () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.watch.stop();
    await harness?.fake.close();
    harness = undefined;
  });

  async function setup(
    options: Partial<ClusterWatchOptions> = {},
    fakeOptions: FakeKubeApiOptions = {},
    onChangeThrows = false,
  ): Promise<Harness> {
    const fake = await startFakeKubeApi(fakeOptions);
    seed(fake);
    const state = new ClusterState('east');
    const changes: KnownKind[] = [];
    const errors: Array<{ kind: KnownKind; message: string }> = [];
    const delays: number[] = [];
    let waiters: Array<{ predicate: () => boolean; resolve: () => void }> = [];
    const wake = (): void => {
      waiters = waiters.filter((w) => !w.predicate() || (w.resolve(), false));
    };
    const watch = new ClusterWatch({
      kubeConfig: kubeConfigFor(fake.url),
      state,
      onChange: (kind) => {
        changes.push(kind);
        wake();
        if (onChangeThrows) throw new Error(`listener failed on ${kind}`);
      },
      onError: (kind, error) => {
        errors.push({ kind, message: error.message });
      },
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      restartDelay: { initialMs: 100, maxMs: 10_000 },
      watchdogIntervalMs: 0,
      ...options,
    });
    const until = (predicate: () => boolean): Promise<void> =>
      predicate() ? Promise.resolve() : new Promise((resolve) => waiters.push({ predicate, resolve }));
    harness = { fake, state, watch, changes, errors, delays, until };
    return harness;
  }

  const listsOf = (fake: FakeKubeApi, path: string): number =>
    fake.requests.filter((r) => r.method === 'GET' && r.path === path && !r.query.includes('watch=')).length;

  it('lists every kind into the state, with kind, apiVersion and wire-form timestamps, and no Pods unless asked', async () => {
    const { fake, state, watch } = await setup();
    await watch.start();

    assert.deepEqual(state.get('VirtualServer', 'shop', 'vs'), stored(fake, 'VirtualServer', CIS, 'virtualservers', 'shop', 'vs'));
    assert.deepEqual(state.service('shop', 'web'), stored(fake, 'Service', '', 'services', 'shop', 'web'));
    assert.deepEqual(state.slicesOf('shop', 'web'), [
      stored(fake, 'EndpointSlice', 'discovery.k8s.io', 'endpointslices', 'shop', 'web-abc'),
    ]);
    assert.deepEqual(state.nodes(), [stored(fake, 'Node', '', 'nodes', '', 'n1')]);
    const node = state.nodes()[0];
    assert.match(String(node?.metadata?.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const present = (['Namespace', 'Secret', 'Ingress', 'IngressClass', 'TransportServer', 'TLSProfile', 'Policy'] as const).map((kind) => {
      const [obj] = state.list(kind);
      return [kind, obj?.apiVersion, obj?.metadata?.namespace ?? ''];
    });
    assert.deepEqual(present, [
      ['Namespace', 'v1', ''],
      ['Secret', 'v1', 'shop'],
      ['Ingress', 'networking.k8s.io/v1', 'shop'],
      ['IngressClass', 'networking.k8s.io/v1', ''],
      ['TransportServer', 'cis.f5.com/v1', 'shop'],
      ['TLSProfile', 'cis.f5.com/v1', 'shop'],
      ['Policy', 'cis.f5.com/v1', 'shop'],
    ]);
    assert.deepEqual(state.list('Pod'), []);
    assert.ok(!fake.requests.some((r) => r.path.endsWith('/pods')), 'Pods were read without being asked for');
    assert.deepEqual(watch.health(), { ...watch.health(), synced: true, restarts: 0, errors: [] });
  });

  it('keeps neither managedFields nor the last-applied annotation, from a list or from an event', async () => {
    const managed = { managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }] };
    const lastApplied = { 'kubectl.kubernetes.io/last-applied-configuration': '{"a whole":"copy"}', team: 'shop' };
    const { fake, state, watch, until } = await setup();
    fake.put(CIS, 'v1', 'virtualservers', {
      kind: 'VirtualServer',
      metadata: { name: 'listed', namespace: 'shop', ...managed, annotations: lastApplied },
      spec: { host: 'l.example.com' },
    });
    await watch.start();
    await fake.waitForWatches(ALL_KINDS);
    fake.put(CIS, 'v1', 'virtualservers', {
      kind: 'VirtualServer',
      metadata: { name: 'watched', namespace: 'shop', ...managed, annotations: lastApplied },
      spec: { host: 'w.example.com' },
    });
    await until(() => state.get('VirtualServer', 'shop', 'watched') !== undefined);
    for (const name of ['listed', 'watched']) {
      const metadata = state.get('VirtualServer', 'shop', name)?.metadata;
      assert.equal(metadata?.['managedFields' as keyof typeof metadata], undefined, name);
      assert.deepEqual(metadata?.annotations, { team: 'shop' }, name);
    }
  });

  it('applies ADDED, MODIFIED and DELETED events and calls onChange for each', async () => {
    const { fake, state, watch, changes, until } = await setup();
    await watch.start();
    await fake.waitForWatches(ALL_KINDS);
    const before = changes.length;

    fake.put('', 'v1', 'services', {
      metadata: { name: 'api', namespace: 'shop' },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
    await until(() => state.service('shop', 'api') !== undefined);
    assert.deepEqual(state.service('shop', 'api'), stored(fake, 'Service', '', 'services', 'shop', 'api'));

    const resources = state.resourceRevision;
    fake.put(CIS, 'v1', 'virtualservers', {
      kind: 'VirtualServer',
      metadata: { name: 'vs', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { host: 'new.example.com' },
    });
    await until(() => state.get<VirtualServer>('VirtualServer', 'shop', 'vs')?.spec?.host === 'new.example.com');
    assert.ok(state.resourceRevision > resources);

    fake.delete('discovery.k8s.io', 'v1', 'endpointslices', 'shop', 'web-abc');
    await until(() => state.slicesOf('shop', 'web').length === 0);

    assert.deepEqual(changes.slice(before), ['Service', 'VirtualServer', 'EndpointSlice']);
    assert.equal(watch.health().restarts, 0);
  });

  const reconnects = [
    { title: 'replays what happened from its last version', historyLimit: 1000, relists: 1 },
    { title: 'lists again when its version has expired (410) and drops what disappeared', historyLimit: 2, relists: 2 },
  ];
  for (const { title, historyLimit, relists } of reconnects) {
    it(`after the server ends every watch, the informer reconnects and ${title}`, async () => {
      const { fake, state, watch, until } = await setup({}, { historyLimit });
      await watch.start();
      await fake.waitForWatches(ALL_KINDS);

      fake.closeWatches();
      fake.delete(CIS, 'v1', 'virtualservers', 'shop', 'vs');
      fake.put('', 'v1', 'services', { metadata: { name: 'web', namespace: 'shop' }, spec: { type: 'ClusterIP' } });
      fake.put(CIS, 'v1', 'tlsprofiles', { kind: 'TLSProfile', metadata: { name: 'reencrypt', namespace: 'shop' }, spec: {} });
      await until(
        () =>
          !state.get('VirtualServer', 'shop', 'vs') &&
          state.service('shop', 'web')?.spec?.type === 'ClusterIP' &&
          !!state.get('TLSProfile', 'shop', 'reencrypt'),
      );

      assert.equal(listsOf(fake, '/apis/cis.f5.com/v1/virtualservers'), relists);
      assert.deepEqual(
        state
          .list('TLSProfile')
          .map((p) => p.metadata?.name)
          .sort(),
        ['edge', 'reencrypt'],
      );
      assert.deepEqual([watch.health().restarts, watch.health().errors], [0, []]);
    });
  }

  it('replaces an informer whose watch is refused, with doubling delays, and removes what was deleted meanwhile', async () => {
    const { fake, state, watch, errors, delays, until } = await setup();
    await watch.start();
    await fake.waitForWatches(ALL_KINDS);

    fake.failWatches(500, { times: 3, path: '/api/v1/services' });
    fake.closeWatches();
    fake.delete('', 'v1', 'services', 'shop', 'web');
    await fake.waitForWatches(ALL_KINDS);
    fake.put('', 'v1', 'services', { metadata: { name: 'marker', namespace: 'shop' }, spec: {} });
    await until(() => state.service('shop', 'marker') !== undefined);

    assert.equal(state.service('shop', 'web'), undefined);
    assert.deepEqual(delays, [100, 200, 400]);
    assert.deepEqual(
      errors,
      Array.from({ length: 3 }, () => ({ kind: 'Service', message: 'HTTP 500: Internal Server Error' })),
    );
    const health = watch.health();
    assert.deepEqual([health.restarts, health.connected, health.synced, health.errors.length], [3, true, true, 3]);
  });

  it('reads namespaced kinds only from the configured namespaces, one informer each', async () => {
    const { fake, state, watch, until } = await setup({ namespaces: ['shop', 'edge', 'shop'] });
    fake.put('', 'v1', 'services', { metadata: { name: 'gw', namespace: 'edge' }, spec: {} });
    fake.put('', 'v1', 'services', { metadata: { name: 'other', namespace: 'other' }, spec: {} });
    fake.put(CIS, 'v1', 'virtualservers', { kind: 'VirtualServer', metadata: { name: 'vs', namespace: 'other' }, spec: {} });
    await watch.start();
    await fake.waitForWatches(3 + 8 * 2);

    assert.deepEqual([...state.entriesOf('Service')].map(([key]) => key).sort(), ['edge/gw', 'shop/web']);
    assert.deepEqual(
      [...state.entriesOf('VirtualServer')].map(([key]) => key),
      ['shop/vs'],
    );
    assert.equal(state.nodes().length, 1);
    const servicePaths = new Set(fake.requests.filter((r) => r.path.endsWith('/services')).map((r) => r.path));
    assert.deepEqual([...servicePaths].sort(), ['/api/v1/namespaces/edge/services', '/api/v1/namespaces/shop/services']);

    fake.put('', 'v1', 'services', { metadata: { name: 'late', namespace: 'other' }, spec: {} });
    fake.put('', 'v1', 'services', { metadata: { name: 'late', namespace: 'edge' }, spec: {} });
    await until(() => state.service('edge', 'late') !== undefined);
    assert.equal(state.service('other', 'late'), undefined);
  });

  it('watches Pods when asked (NodePortLocal)', async () => {
    const { fake, state, watch, until } = await setup({ pods: true });
    await watch.start();
    assert.deepEqual(state.get('Pod', 'shop', 'web-1'), stored(fake, 'Pod', '', 'pods', 'shop', 'web-1'));
    await fake.waitForWatches(ALL_KINDS + 1);

    const annotation = '[{"podPort":8080,"nodeIP":"10.0.0.1","nodePort":61001,"protocol":"tcp"}]';
    const serviceRevision = state.serviceRevision('shop', 'web');
    fake.put('', 'v1', 'pods', {
      metadata: { name: 'web-1', namespace: 'shop', annotations: { 'nodeportlocal.antrea.io': annotation } },
      spec: { nodeName: 'n1' },
    });
    await until(() => state.get('Pod', 'shop', 'web-1')?.metadata?.annotations?.['nodeportlocal.antrea.io'] === annotation);
    assert.ok(state.serviceRevision('shop', 'web') > serviceRevision, 'the Service whose slice lists the Pod was not marked changed');
  });

  it('replaces informers that saw nothing for staleAfterMs (a silently dead connection) and catches up by listing', async () => {
    let clock = 1_000_000;
    const { fake, state, watch, until } = await setup({ now: () => clock, staleAfterMs: 60_000 });
    await watch.start();
    await fake.waitForWatches(ALL_KINDS);
    assert.equal(watch.health().lastEventAt, 1_000_000);

    clock += 59_999;
    assert.equal(watch.checkStaleness(), 0);
    fake.silenceWatches();
    fake.delete(CIS, 'v1', 'virtualservers', 'shop', 'vs');
    clock += 1;
    assert.equal(watch.checkStaleness(), ALL_KINDS);
    await until(() => state.get('VirtualServer', 'shop', 'vs') === undefined);

    assert.equal(watch.health().restarts, ALL_KINDS);
    assert.equal(watch.health().lastEventAt, 1_060_000);
    assert.equal(watch.checkStaleness(), 0);
  });

  it('reports an onChange that throws and keeps applying events', async () => {
    const { fake, state, watch, errors, until } = await setup({}, {}, true);
    await watch.start();
    await fake.waitForWatches(ALL_KINDS);
    assert.ok(errors.length >= ALL_KINDS, 'every initial list changed the state and called onChange');
    assert.deepEqual(
      errors.find((e) => e.kind === 'VirtualServer'),
      { kind: 'VirtualServer', message: 'listener failed on VirtualServer' },
    );

    fake.put('', 'v1', 'services', { metadata: { name: 'api', namespace: 'shop' }, spec: {} });
    await until(() => state.service('shop', 'api') !== undefined);
    fake.delete('', 'v1', 'services', 'shop', 'api');
    await until(() => state.service('shop', 'api') === undefined);
    assert.equal(watch.health().restarts, 0);
  });

  it('keeps retrying a refused list, and start() rejects when stop() comes before every kind was listed', async () => {
    let slept!: () => void;
    const sleeping = new Promise<void>((resolve) => (slept = resolve));
    const { fake, watch, errors } = await setup({
      sleep: (_ms, signal) => {
        slept();
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    });
    fake.failNext({ method: 'GET', code: 403, reason: 'Forbidden', message: 'nodes is forbidden' });
    const started = watch.start();
    await sleeping;

    assert.equal(watch.health().synced, false);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /403/);
    await watch.stop();
    await assert.rejects(started, /cluster east: the watch stopped before every kind was listed/);
  });
});
