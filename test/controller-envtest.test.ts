/**
 * The live controller's main scenarios against a real Kubernetes API server (envtest: etcd and
 * kube-apiserver v1.26) and the fake BIG-IP: watches and statuses of every kind, the IPAM store,
 * Events, the Lease hand-over between two replicas, a restart of the API server and etcd (the
 * watches resume and list again; nothing is deleted from the BIG-IP meanwhile), and a network
 * partition during which etcd compacts past what the watches saw. The same
 * scenarios against the fake API server are in controller.test.ts.
 */
import assert from 'node:assert/strict';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { projectValidator } from '../src/adapters/schema-validator.js';
import { validateConfig } from '../src/config/parse-config.js';
import { startController } from '../src/controller/controller.js';
import type { ControllerOptions, RunningController } from '../src/controller/controller.js';
import type { Log, PassRecord } from '../src/controller/reconciler.js';
import { passUntil } from './support/controller-passes.js';
import { startCuttableProxy } from './support/cuttable-proxy.js';
import { envtestForSuite, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

/** Compacts etcd up to its current revision, through its HTTP gateway: older revisions are gone. */
async function compactEtcd(etcdUrl: string): Promise<void> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: 'AA==' }) });
  const revision = ((await range.json()) as { header: { revision: string } }).header.revision;
  const compacted = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  assert.equal(compacted.status, 200, await compacted.text());
}

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

const OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-as3}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [172.16.0.1], conditions: {ready: true}}]
---
apiVersion: cis.f5.com/v1
kind: VirtualServer
metadata: {name: a, namespace: shop, labels: {f5cr: "true"}}
spec: {host: a.example.com, ipamLabel: prod, pools: [{path: /, service: web, servicePort: 80}]}
---
apiVersion: cis.f5.com/v1
kind: TransportServer
metadata: {name: db, namespace: shop, labels: {f5cr: "true"}}
spec: {virtualServerAddress: 10.1.3.9, virtualServerPort: 5432, pool: {service: web, servicePort: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop, annotations: {cis.f5.com/ipamLabel: prod}}
spec: {type: LoadBalancer, ports: [{name: pg, port: 5432, targetPort: 5432, protocol: TCP}]}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: f5}
spec: {controller: f5.com/cntr-ingress-svcs}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: www, namespace: shop, annotations: {virtual-server.f5.com/ip: 10.1.3.7}}
spec: {ingressClassName: f5, rules: [{host: www.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
`;

describe('kube-as3 run against a real API server (envtest)', function () {
  this.timeout(180_000);
  let env: Envtest | undefined;
  let bigip: FakeBigip;
  const running: RunningController[] = [];
  const parsed = validateConfig({
    poolMemberType: 'cluster',
    bigip: { partition: 'shop' },
    as3: { instance: 'env' },
    ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] } },
  });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  before(async function () {
    env = await envtestForSuite(this);
    await kubectl(env.kubeconfigPath, ['apply', '-f', '-'], OBJECTS);
  });
  after(async () => {
    await env?.stop();
  });
  beforeEach(async () => {
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await bigip.close();
  });

  const envtest = (): Envtest => env as Envtest;
  const start = async (extra: Partial<ControllerOptions> = {}): Promise<RunningController> => {
    const api = fakeBigipClient(bigip.url);
    const controller = await startController({
      config,
      clusters: [{ name: 'local', kubeConfig: envtest().kubeConfig() }],
      namespace: 'kube-as3',
      bigip: api,
      validators: [projectValidator()],
      log: quiet,
      watch: { watchdogIntervalMs: 0, restartDelay: { initialMs: 50, maxMs: 200 } },
      ...extra,
    });
    running.push(controller);
    return controller;
  };
  const custom = (): CustomObjectsApi => envtest().kubeConfig().makeApiClient(CustomObjectsApi);
  const cisStatus = async (plural: string, name: string): Promise<Record<string, unknown>> =>
    (
      (await custom().getNamespacedCustomObject({ group: 'cis.f5.com', version: 'v1', namespace: 'shop', plural, name })) as {
        status?: Record<string, unknown>;
      }
    ).status ?? {};
  const lbIps = async (): Promise<string[]> => {
    const [svc, ing] = await Promise.all([
      envtest().kubeConfig().makeApiClient(CoreV1Api).readNamespacedServiceStatus({ namespace: 'shop', name: 'lb' }),
      envtest().kubeConfig().makeApiClient(NetworkingV1Api).readNamespacedIngressStatus({ namespace: 'shop', name: 'www' }),
    ]);
    return [...(svc.status?.loadBalancer?.ingress ?? []), ...(ing.status?.loadBalancer?.ingress ?? [])].map((i) => i.ip ?? '');
  };

  it('applies every kind, writes their statuses, stores the IPAM allocations, and records an Event for a refused edit', async () => {
    const controller = await start();
    await passUntil(
      controller,
      async () => (await cisStatus('virtualservers', 'a'))['vsAddress'] === '10.1.2.10' && (await lbIps()).length === 2,
    );
    assert.equal((await cisStatus('virtualservers', 'a'))['status'], 'Ok');
    assert.equal((await cisStatus('transportservers', 'db'))['status'], 'Ok');
    assert.deepEqual(await lbIps(), ['10.1.2.11', '10.1.3.7']);
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_3_9_5432'], 'the TransportServer is on the BIG-IP');
    const stored = (await custom().getNamespacedCustomObject({
      group: 'kube-as3.dev',
      version: 'v1alpha1',
      namespace: 'kube-as3',
      plural: 'ipamallocations',
      name: 'kube-as3-env',
    })) as { spec: { allocations: Record<string, { address: string }> } };
    assert.deepEqual(
      Object.entries(stored.spec.allocations)
        .map(([k, v]) => `${k}=${v.address}`)
        .sort(),
      ['shop/a.example.com_host=10.1.2.10', 'shop/lb_svc=10.1.2.11'],
    );

    await kubectl(envtest().kubeconfigPath, [
      'patch',
      '-n',
      'shop',
      'transportserver',
      'db',
      '--type',
      'merge',
      '-p',
      '{"spec":{"pool":{"servicePort":9999}}}',
    ]);
    const eventsOfDb = (): ReturnType<CoreV1Api['listNamespacedEvent']> =>
      envtest().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'shop', fieldSelector: 'involvedObject.name=db' });
    // The status and the Event are written one after the other in a pass: wait for both.
    await passUntil(
      controller,
      async () => (await cisStatus('transportservers', 'db'))['status'] === 'Error' && (await eventsOfDb()).items.length > 0,
    );
    const events = await eventsOfDb();
    assert.deepEqual(
      events.items.map((e) => [e.type, e.reason, e.involvedObject.kind]),
      [['Warning', 'InvalidSpec', 'TransportServer']],
    );
    assert.match(
      events.items[0]?.message ?? '',
      /9999 is not a port of Service shop\/web.*the BIG-IP keeps the last good version \(generation 1, /,
    );
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_3_9_5432'], 'kept on the BIG-IP');
    await kubectl(envtest().kubeconfigPath, [
      'patch',
      '-n',
      'shop',
      'transportserver',
      'db',
      '--type',
      'merge',
      '-p',
      '{"spec":{"pool":{"servicePort":80}}}',
    ]);
    await passUntil(controller, async () => (await cisStatus('transportservers', 'db'))['status'] === 'Ok');
  });

  it('only the Lease holder reconciles; when it stops, the standby takes the Lease and finds the BIG-IP in sync', async () => {
    const a = await start({ leaderElection: { identity: 'a', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 1 } });
    await passUntil(a, () => bigip.tenants()['shop']?.['crd_10_1_2_10_80'] !== undefined);
    const passesOfB: PassRecord[] = [];
    const b = await start({ leaderElection: { identity: 'b', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 1 } });
    b.events.on('pass', (r: PassRecord) => void passesOfB.push(r));
    const posts = bigip.posts.length;
    await a.stop();
    running.splice(running.indexOf(a), 1);
    // A stopping leader releases the Lease: the standby takes it on its next attempt.
    await passUntil(b, () => passesOfB.length > 0);
    assert.equal(passesOfB[0]?.inSync, true);
    assert.equal(bigip.posts.length, posts, 'nothing to post: the BIG-IP was in sync');
    const lease = await envtest()
      .kubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: 'kube-as3', name: 'kube-as3-env' });
    assert.equal(lease.spec?.holderIdentity?.startsWith('b'), true, JSON.stringify(lease.spec));
  });

  it('survives a restart of the API server and etcd: nothing is deleted while it is down, and the watches resume', async () => {
    const controller = await start();
    await passUntil(controller, () => controller.reconciler.lastReport?.inSync === true);
    const held = JSON.stringify(bigip.tenants());
    await envtest().stopServers();
    await envtest().restart();
    assert.equal(JSON.stringify(bigip.tenants()), held, 'nothing deleted while the API server was down');
    // An edit after the restart reaches the BIG-IP: the watches listed and watch again.
    await kubectl(envtest().kubeconfigPath, [
      'patch',
      '-n',
      'shop',
      'virtualserver',
      'a',
      '--type',
      'merge',
      '-p',
      '{"spec":{"snat":"none"}}',
    ]);
    await passUntil(controller, () => /"snat":"none"/.test(JSON.stringify(bigip.tenants()['shop']?.['crd_10_1_2_10_80'] ?? {})), 100);
    assert.ok(bigip.tenants()['shop']?.['ingress_10_1_3_7_80'], 'the other applications are still there');
  });

  it('after a partition during which etcd compacted past what the watches saw (a resumed watch would get 410 Gone), they list again and miss nothing', async () => {
    // The controller reaches the API server through a proxy the test can cut.
    const proxy = await startCuttableProxy(Number(new URL(envtest().url).port));
    try {
      const token = envtest().kubeConfig().getCurrentUser()?.token ?? '';
      const viaProxy = new KubeConfig();
      viaProxy.loadFromOptions({
        clusters: [{ name: 'proxied', server: `https://${proxy.address}`, skipTLSVerify: true }],
        users: [{ name: 'admin', token }],
        contexts: [{ name: 'proxied', cluster: 'proxied', user: 'admin' }],
        currentContext: 'proxied',
      });
      const controller = await start({ clusters: [{ name: 'local', kubeConfig: viaProxy }] });
      await passUntil(
        controller,
        () => controller.reconciler.lastReport?.inSync === true && bigip.tenants()['shop']?.['crd_10_1_3_9_5432'] !== undefined,
      );
      proxy.cut();
      // Missed while partitioned: a deletion and a creation.
      await kubectl(envtest().kubeconfigPath, ['delete', '-n', 'shop', 'transportserver', 'db']);
      await kubectl(
        envtest().kubeconfigPath,
        ['apply', '-f', '-'],
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: late, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: late.example.com, virtualServerAddress: 10.1.4.4, pools: [{path: /, service: web, servicePort: 80}]}\n',
      );
      // etcd compacts past what the watches saw, and the restarted API server has no watch cache of it: resuming gets 410 Gone.
      await compactEtcd(envtest().etcdUrl);
      await envtest().restart();
      proxy.restore();
      await passUntil(
        controller,
        () => bigip.tenants()['shop']?.['crd_10_1_3_9_5432'] === undefined && bigip.tenants()['shop']?.['crd_10_1_4_4_80'] !== undefined,
        200,
      );
      assert.ok(bigip.tenants()['shop']?.['ingress_10_1_3_7_80'], 'what did not change is still there');
    } finally {
      await proxy.close();
    }
  });
});
