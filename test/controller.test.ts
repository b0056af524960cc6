/**
 * The live controller end to end: the real client-node watching a fake Kubernetes API server, the
 * reconcile loop, the IPAM store in an IPAMAllocation object, the status writer, and the fake
 * BIG-IP, all over HTTP on 127.0.0.1. Each step waits for the controller's next pass that shows
 * the expected result (events, not sleeps).
 */
import assert from 'node:assert/strict';
import type { Plan } from '../src/plan/plan.js';
import { projectValidator } from '../src/adapters/schema-validator.js';
import { validateConfig } from '../src/config/parse-config.js';
import { startController } from '../src/controller/controller.js';
import type { RunningController } from '../src/controller/controller.js';
import type { Log, PassRecord } from '../src/controller/reconciler.js';
import { passUntil as passWhere } from './support/controller-passes.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { kubeConfigFor, objectKey, startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function lastPlan(controller: RunningController): Plan | undefined {
  return controller.reconciler.lastPlan;
}

describe('kube-as3 run: the live controller against a fake API server and a fake BIG-IP', () => {
  let kube: FakeKubeApi;
  let bigip: FakeBigip;
  let controller: RunningController | undefined;
  const parsed = validateConfig({
    poolMemberType: 'cluster',
    bigip: { partition: 'shop' },
    as3: { instance: 'it' },
    ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] } },
  });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  const vs = (name: string): Record<string, unknown> => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name, namespace: 'shop', labels: { f5cr: 'true' }, generation: 1 },
    spec: { host: `${name}.example.com`, ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
  });
  const statusOf = (group: string, plural: string, name: string): Record<string, unknown> | undefined =>
    (kube.objects().get(objectKey(group, plural, 'shop', name)) as { status?: Record<string, unknown> } | undefined)?.status;

  beforeEach(async () => {
    kube = await startFakeKubeApi();
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    kube.put('discovery.k8s.io', 'v1', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-a', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: ['172.16.0.1'], conditions: { ready: true } }],
    });
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('a'));
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: 'shop', annotations: { 'cis.f5.com/ipamLabel': 'prod' } },
      spec: { type: 'LoadBalancer', ports: [{ name: 'pg', port: 5432, targetPort: 5432, nodePort: 30432, protocol: 'TCP' }] },
    });
    const api = fakeBigipClient(bigip.url);
    controller = await startController({
      config,
      clusters: [{ name: 'local', kubeConfig: kubeConfigFor(kube.url) }],
      namespace: 'kube-as3',
      bigip: api,
      validators: [projectValidator()],
      log: quiet,
      port: 0,
      watch: { watchdogIntervalMs: 0 },
    });
  });
  afterEach(async () => {
    await controller?.stop();
    await bigip.close();
    await kube.close();
  });

  it('applies, stores the allocation, and reports the address on VirtualServer and LoadBalancer status; a deletion frees it', async () => {
    const running = controller as RunningController;
    await passWhere(running, () => statusOf('cis.f5.com', 'virtualservers', 'a')?.['vsAddress'] === '10.1.2.10');
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_2_10_80'], 'the BIG-IP holds the VirtualServer');
    const vsStatus = statusOf('cis.f5.com', 'virtualservers', 'a') ?? {};
    assert.equal(vsStatus['status'], 'Ok');
    await passWhere(
      running,
      () => JSON.stringify(statusOf('', 'services', 'db')) === JSON.stringify({ loadBalancer: { ingress: [{ ip: '10.1.2.11' }] } }),
    );
    const stored = kube.objects().get(objectKey('kube-as3.dev', 'ipamallocations', 'kube-as3', 'kube-as3-it')) as {
      spec: { allocations: Record<string, { address: string }> };
    };
    assert.deepEqual(
      Object.entries(stored.spec.allocations)
        .map(([k, v]) => `${k}=${v.address}`)
        .sort(),
      ['shop/a.example.com_host=10.1.2.10', 'shop/db_svc=10.1.2.11'],
    );

    kube.put('networking.k8s.io', 'v1', 'ingressclasses', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'f5' },
      spec: { controller: 'f5.com/cntr-ingress-svcs' },
    });
    kube.put('networking.k8s.io', 'v1', 'ingresses', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'www', namespace: 'shop', annotations: { 'virtual-server.f5.com/ip': '10.1.3.7' } },
      spec: {
        ingressClassName: 'f5',
        rules: [
          {
            host: 'www.example.com',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
          },
        ],
      },
    });
    await passWhere(
      running,
      () =>
        JSON.stringify(statusOf('networking.k8s.io', 'ingresses', 'www')) ===
        JSON.stringify({ loadBalancer: { ingress: [{ ip: '10.1.3.7' }] } }),
    );

    const ready = await fetch(`${running.server?.url ?? ''}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${running.server?.url ?? ''}/metrics`)).text();
    assert.match(metrics, /kube_as3_reconciles_total\{result="in_sync"\} [1-9]/);
    assert.match(metrics, /kube_as3_ipam_addresses_allocated\{label="prod"\} 2/);
    // Where the passes spent their time, per phase, and how long the first list took.
    for (const phase of ['connect', 'plan', 'ipam', 'validate', 'post', 'status', 'events']) {
      assert.match(metrics, new RegExp(`kube_as3_reconcile_phase_seconds_count\\{phase="${phase}"\\} [1-9]`), phase);
    }
    assert.match(metrics, /kube_as3_cluster_initial_list_seconds\{cluster="local"\} \d/);

    kube.delete('cis.f5.com', 'v1', 'virtualservers', 'shop', 'a');
    await passWhere(running, () => bigip.tenants()['shop']?.['crd_10_1_2_10_80'] === undefined);
    await passWhere(running, () => {
      const now = kube.objects().get(objectKey('kube-as3.dev', 'ipamallocations', 'kube-as3', 'kube-as3-it')) as {
        spec: { allocations: Record<string, unknown>; releasing?: Record<string, unknown> };
      };
      return Object.keys(now.spec.allocations).join() === 'shop/db_svc' && Object.keys(now.spec.releasing ?? {}).length === 0;
    });
  });

  it('reports a refused resource as Error on its status, and Ok again once fixed', async () => {
    const running = controller as RunningController;
    await passWhere(running, () => statusOf('cis.f5.com', 'virtualservers', 'a')?.['status'] === 'Ok');
    const bad = vs('a');
    (bad['spec'] as { pools: Array<Record<string, unknown>> }).pools[0] = { path: '/', service: 'web', servicePort: 9999 };
    kube.put('cis.f5.com', 'v1', 'virtualservers', bad);
    await passWhere(running, () => statusOf('cis.f5.com', 'virtualservers', 'a')?.['status'] === 'Error');
    assert.match(String(statusOf('cis.f5.com', 'virtualservers', 'a')?.['error']), /servicePort: 9999 is not a port of Service shop\/web/);
    const events = [...kube.objects()]
      .filter(([key]) => key.startsWith('/events/shop/a.'))
      .map(([, e]) => e as { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } });
    assert.deepEqual(
      events.map((e) => [e.type, e.reason, e.involvedObject.kind, e.involvedObject.name]),
      [['Warning', 'InvalidSpec', 'VirtualServer', 'a']],
    );
    assert.match(events[0]?.message ?? '', /^spec\.pools\[0\]\.servicePort: 9999 is not a port of Service shop\/web/);
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('a'));
    await passWhere(running, () => statusOf('cis.f5.com', 'virtualservers', 'a')?.['status'] === 'Ok');
    assert.equal(statusOf('cis.f5.com', 'virtualservers', 'a')?.['error'], undefined);
    assert.ok(lastPlan(running)?.tenants.get('shop'));
  });

  it('stays ready while the BIG-IP refuses an application (kube_as3_in_sync says it), and is not ready while the BIG-IP cannot be reached', async () => {
    const running = controller as RunningController;
    await passWhere(running, () => statusOf('cis.f5.com', 'virtualservers', 'a')?.['status'] === 'Ok');
    const metric = async (): Promise<string | undefined> =>
      /^kube_as3_in_sync (\d)$/m.exec(await (await fetch(`${running.server?.url ?? ''}/metrics`)).text())?.[1];
    assert.equal(await metric(), '1');
    // Enough refusals that the isolation retries are refused too.
    bigip.failNext(20, 422, { code: 422, message: 'declaration is invalid', errors: ['/shop/crd_b: refused'] });
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('b'));
    await passWhere(running, () => running.reconciler.lastReport?.inSync === false);
    assert.deepEqual(running.readiness(), { ready: true }, 'a refused application does not make the controller unready');
    assert.equal(await metric(), '0');
    bigip.resetNext(1000);
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('c'));
    await passWhere(running, () => running.reconciler.lastFailure !== undefined);
    const ready = running.readiness();
    assert.equal(ready.ready, false);
    assert.match(ready.reason ?? '', /^the latest reconcile pass failed: BIG-IP: /);
    assert.equal(await metric(), '0');
  });
});

describe('kube-as3 run with two clusters', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let bigip: FakeBigip;
  let controller: RunningController | undefined;
  const parsed = validateConfig({
    poolMemberType: 'cluster',
    bigip: { partition: 'shop' },
    as3: { instance: 'mc' },
    multiCluster: {
      mode: 'ratio',
      clusters: [
        { name: 'east', ratio: 3 },
        { name: 'west', ratio: 1 },
      ],
    },
  });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  function seed(kube: FakeKubeApi, pod: string, withVirtualServer: boolean): void {
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    kube.put('discovery.k8s.io', 'v1', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-a', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: [pod], conditions: { ready: true } }],
    });
    if (withVirtualServer) {
      kube.put('cis.f5.com', 'v1', 'virtualservers', {
        apiVersion: 'cis.f5.com/v1',
        kind: 'VirtualServer',
        metadata: { name: 'web', namespace: 'shop', labels: { f5cr: 'true' } },
        spec: { host: 'web.example.com', virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
      });
    }
  }

  type Members = Array<{ serverAddresses: string[]; remark?: string; ratio?: number }>;
  const members = (): string[] => {
    const pool = (bigip.tenants()['shop']?.['crd_10_1_1_1_80'] as Record<string, { members: Members }> | undefined)?.['web_80_shop'];
    return (pool?.members ?? []).map((m) => `${m.remark ?? ''} ${m.serverAddresses.join(',')} ratio ${m.ratio ?? '-'}`);
  };

  beforeEach(async () => {
    [east, west] = await Promise.all([startFakeKubeApi(), startFakeKubeApi()]);
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    seed(east, '172.16.0.1', true);
    seed(west, '172.17.0.1', false);
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await Promise.all([bigip.close(), east.close(), west.close()]);
  });

  async function start(remoteSyncTimeoutMs?: number, westUrl?: string): Promise<RunningController> {
    const api = fakeBigipClient(bigip.url);
    controller = await startController({
      config,
      clusters: [
        { name: 'east', kubeConfig: kubeConfigFor(east.url) },
        { name: 'west', kubeConfig: kubeConfigFor(westUrl ?? west.url) },
      ],
      namespace: 'kube-as3',
      bigip: api,
      validators: [projectValidator()],
      log: quiet,
      watch: { watchdogIntervalMs: 0, restartDelay: { initialMs: 1, maxMs: 5 } },
      ...(remoteSyncTimeoutMs === undefined ? {} : { remoteSyncTimeoutMs }),
    });
    return controller;
  }

  it("one pool with both clusters' members by cluster ratio, following endpoint changes in either cluster", async () => {
    const running = await start();
    await passWhere(running, () => members().length === 2);
    assert.deepEqual(members(), ['cluster east 172.16.0.1 ratio 3', 'cluster west 172.17.0.1 ratio 1']);
    west.put('discovery.k8s.io', 'v1', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-a', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [
        { addresses: ['172.17.0.1'], conditions: { ready: true } },
        { addresses: ['172.17.0.2'], conditions: { ready: true } },
      ],
    });
    await passWhere(running, () => members().some((m) => m.includes('172.17.0.2')));
    const status = (
      east.objects().get(objectKey('cis.f5.com', 'virtualservers', 'shop', 'web')) as { status?: Record<string, unknown> } | undefined
    )?.status;
    assert.deepEqual(
      [status?.['vsAddress'], status?.['status']],
      ['10.1.1.1', 'Ok'],
      'the status goes to the cluster that holds the VirtualServer',
    );
    const shares = members().map((m) => m.split(' '));
    const total = shares.reduce((a, m) => a + Number(m.at(-1)) * (m[2] ?? '').split(',').length, 0);
    assert.equal(Number(shares[0]?.at(-1)) / total, 0.75, "east keeps 3/4 with 1 pod against west's 2");
  });

  it('a resource refused in a remote cluster gets its Error status and Event there', async () => {
    const running = await start();
    await passWhere(running, () => members().length === 2);
    west.put('cis.f5.com', 'v1', 'virtualservers', {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      metadata: { name: 'bad', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { host: 'bad.example.com', virtualServerAddress: '10.1.1.9', pools: [{ path: '/', service: 'web', servicePort: 9999 }] },
    });
    const statusInWest = (): Record<string, unknown> | undefined =>
      (west.objects().get(objectKey('cis.f5.com', 'virtualservers', 'shop', 'bad')) as { status?: Record<string, unknown> } | undefined)
        ?.status;
    await passWhere(running, () => statusInWest()?.['status'] === 'Error');
    assert.match(String(statusInWest()?.['error']), /servicePort: cluster west: 9999 is not a port of Service shop\/web/);
    assert.ok(
      [...west.objects().keys()].some((k) => k.startsWith('/events/shop/bad.')),
      'the Event is in west',
    );
    assert.ok(![...east.objects().keys()].some((k) => k.startsWith('/events/shop/bad.')), 'and not in east, which has no such resource');
  });

  it('a remote cluster that cannot be listed at start does not empty the pool: its members on the BIG-IP stay', async () => {
    const first = await start();
    await passWhere(first, () => members().length === 2);
    await first.stop();
    // A restart while west cannot be reached at all: its state is unknown, so its member entry is kept.
    const gone = await startFakeKubeApi();
    await gone.close();
    const running = await start(50, gone.url);
    await passWhere(running, () => running.reconciler.lastReport !== undefined);
    assert.deepEqual(
      members().map((m) => m.split(' ').slice(0, 3).join(' ')),
      ['cluster east 172.16.0.1', 'cluster west 172.17.0.1'],
    );
    assert.match(running.readiness().reason ?? '', /cluster west not listed yet/);
  });
});

describe('kube-as3 run with two replicas (leader election)', () => {
  let kube: FakeKubeApi;
  let bigip: FakeBigip;
  const running: RunningController[] = [];
  const parsed = validateConfig({ poolMemberType: 'cluster', bigip: { partition: 'shop' }, as3: { instance: 'ha' } });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  beforeEach(async () => {
    kube = await startFakeKubeApi();
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    kube.put('cis.f5.com', 'v1', 'virtualservers', {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      metadata: { name: 'web', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { host: 'web.example.com', virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
    });
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await bigip.close();
    await kube.close();
  });

  /**
   * A replica whose election timers only fire when the test says so: `nextAttempt()` resolves with
   * the next attempt scheduled (due at once, or after the retry period once the previous attempt
   * finished), waiting for it if need be; the deadlines that would make a leader step down never fire.
   */
  async function replica(
    identity: string,
  ): Promise<{ controller: RunningController; nextAttempt: () => Promise<() => void>; passes: PassRecord[] }> {
    const timers: Array<() => void> = [];
    let waiting: ((fire: () => void) => void) | undefined;
    const attempt = (fn: () => void, ms: number): { cancel(): void } => {
      if (ms <= 2000) {
        if (waiting) waiting(fn);
        else timers.push(fn);
        waiting = undefined;
      }
      return { cancel: () => undefined };
    };
    const nextAttempt = (): Promise<() => void> => {
      const due = timers.shift();
      return due ? Promise.resolve(due) : new Promise((resolve) => (waiting = resolve));
    };
    const passes: PassRecord[] = [];
    const api = fakeBigipClient(bigip.url);
    const controller = await startController({
      config,
      clusters: [{ name: 'local', kubeConfig: kubeConfigFor(kube.url) }],
      namespace: 'kube-as3',
      bigip: api,
      validators: [projectValidator()],
      log: quiet,
      watch: { watchdogIntervalMs: 0 },
      leaderElection: { identity, setTimer: attempt },
    });
    controller.events.on('pass', (r: PassRecord) => void passes.push(r));
    running.push(controller);
    return { controller, nextAttempt, passes };
  }

  it('only the leader reconciles; when it stops, the standby takes over', async () => {
    const a = await replica('a');
    (await a.nextAttempt())();
    await passWhere(a.controller, () => bigip.tenants()['shop']?.['crd_10_1_1_1_80'] !== undefined);
    const b = await replica('b');
    (await b.nextAttempt())();
    // b schedules its next attempt only once this one has finished: it found a's lease and follows.
    // (Firing "what is scheduled" without waiting raced that attempt on a busy machine: scheduled
    // after a stopped, its retry was never fired and the takeover never came.)
    const retry = await b.nextAttempt();
    await b.controller.reconciler.idle();
    assert.equal(b.passes.length, 0, 'the standby does not touch the BIG-IP');
    assert.deepEqual(b.controller.readiness(), { ready: true }, 'a standby is ready to take over');
    const posts = bigip.posts.length;

    await a.controller.stop();
    running.splice(running.indexOf(a.controller), 1);
    const tookOver = passWhere(b.controller, () => b.passes.length > 0);
    retry();
    await tookOver;
    assert.deepEqual(
      [b.passes[0]?.inSync, b.passes[0]?.posts, bigip.posts.length],
      [true, 0, posts],
      'the new leader finds the BIG-IP in sync',
    );
    const lease = kube.objects().get(objectKey('coordination.k8s.io', 'leases', 'kube-as3', 'kube-as3-ha')) as {
      spec: { holderIdentity?: string };
    };
    assert.equal(lease.spec.holderIdentity, 'b');
  });
});
