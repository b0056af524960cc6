/**
 * Deadlines of the requests to a Kubernetes API server (src/adapters/kube-call.ts) against a fake
 * API server that accepts a request and never answers: each request fails after its deadline with
 * a message naming the call and the deadline, and the reconcile pass goes on (a failed pass is
 * retried) instead of waiting for ever. Waits are on events (the hung request arriving, the
 * controller's passes), never sleeps; the deadlines are short so the tests are quick.
 */
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { KubeApiError } from '../src/adapters/kube-call.js';
import { KubeEventRecorder, eventApiFor } from '../src/adapters/kube-event-recorder.js';
import { KubeIpamStore } from '../src/adapters/kube-ipam-store.js';
import { KubeStatusWriter, statusApiFor } from '../src/adapters/kube-status-writer.js';
import { projectValidator } from '../src/adapters/schema-validator.js';
import { validateConfig } from '../src/config/parse-config.js';
import { startController } from '../src/controller/controller.js';
import type { RunningController } from '../src/controller/controller.js';
import type { Log, PassRecord } from '../src/controller/reconciler.js';
import { listRaw } from '../src/watch/raw-list.js';
import { passUntil } from './support/controller-passes.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { kubeConfigFor, objectKey, startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

const vs = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'cis.f5.com/v1',
  kind: 'VirtualServer',
  metadata: { name, namespace: 'shop', labels: { f5cr: 'true' }, generation: 1, ...extra },
  spec: { host: `${name}.example.com`, ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
});

describe('Kubernetes API deadlines against a hung API server', () => {
  let kube: FakeKubeApi;

  beforeEach(async () => {
    kube = await startFakeKubeApi();
  });
  afterEach(async () => {
    await kube.close();
  });

  it('a hung status write fails after its deadline, naming the resource and the deadline; the other writes go on', async () => {
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('a'));
    kube.put('cis.f5.com', 'v1', 'virtualservers', vs('b'));
    kube.hang({ method: 'PATCH', path: /\/virtualservers\/a\/status$/ });
    const errors: string[] = [];
    const writer = new KubeStatusWriter({
      api: statusApiFor(kubeConfigFor(kube.url)),
      current: () => undefined,
      timeoutMs: 150,
      onError: (_ref, err) => void errors.push(err.message),
    });
    const result = await writer.write([
      { ref: { kind: 'VirtualServer', namespace: 'shop', name: 'a' }, status: { status: 'Ok' } },
      { ref: { kind: 'VirtualServer', namespace: 'shop', name: 'b' }, status: { status: 'Ok' } },
    ]);
    assert.deepEqual(result, { written: 1, skipped: 0, failed: 1 });
    assert.deepEqual(errors, ['VirtualServer shop/a: cannot write status: no answer from the API server within 0.15 s']);
    assert.deepEqual((kube.objects().get(objectKey('cis.f5.com', 'virtualservers', 'shop', 'b')) as { status?: unknown }).status, {
      status: 'Ok',
    });
  });

  it('a hung Event write fails after its deadline and the recorder returns', async () => {
    kube.hang({ method: 'POST', path: /\/events$/ });
    const errors: string[] = [];
    const recorder = new KubeEventRecorder({
      api: () => eventApiFor(kubeConfigFor(kube.url)),
      instance: 'it',
      timeoutMs: 150,
      onError: (_ref, err) => void errors.push(err.message),
      objectOf: () => ({ apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'a', namespace: 'shop', uid: 'u1' } }),
    });
    await recorder.record([{ ref: { kind: 'VirtualServer', namespace: 'shop', name: 'a' }, reason: 'InvalidSpec', message: 'bad' }]);
    assert.deepEqual(errors, ['Event InvalidSpec on VirtualServer shop/a: cannot create: no answer from the API server within 0.15 s']);
  });

  it('a hung IPAM read and a hung list fail after their deadlines with a KubeApiError', async () => {
    kube.hang({ method: 'GET', path: /\/ipamallocations\/kube-as3-it$/ });
    const store = new KubeIpamStore({
      api: kubeConfigFor(kube.url).makeApiClient(CustomObjectsApi),
      namespace: 'kube-as3',
      name: 'kube-as3-it',
      timeoutMs: 150,
    });
    const err = await store.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof KubeApiError && err.timedOut);
    assert.equal(err.message, 'IPAMAllocation kube-as3/kube-as3-it: cannot read: no answer from the API server within 0.15 s');
    // The same store answers once the API server does.
    assert.deepEqual((await store.load()).version, undefined);

    kube.hang({ method: 'GET', path: /^\/api\/v1\/services$/ });
    await assert.rejects(listRaw(kubeConfigFor(kube.url), '/api/v1/services', { timeoutMs: 150 }), {
      name: 'KubeApiError',
      message: '/api/v1/services: cannot list: no answer from the API server within 0.15 s',
    });
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ port: 80 }] },
    });
    assert.equal((await listRaw(kubeConfigFor(kube.url), '/api/v1/services', { timeoutMs: 150 })).items?.length, 1);
  });

  describe('the live controller', () => {
    let bigip: FakeBigip;
    let controller: RunningController | undefined;
    const warnings: string[] = [];
    const log: Log = { info: () => undefined, warn: (_fields, message) => void warnings.push(message), error: () => undefined };
    const parsed = validateConfig({
      poolMemberType: 'cluster',
      bigip: { partition: 'shop' },
      as3: { instance: 'it' },
      ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] } },
    });
    if (!parsed.config) throw new Error(parsed.errors.join('; '));
    const config = parsed.config;
    const statusOf = (name: string): Record<string, unknown> | undefined =>
      (kube.objects().get(objectKey('cis.f5.com', 'virtualservers', 'shop', name)) as { status?: Record<string, unknown> } | undefined)
        ?.status;

    beforeEach(async () => {
      warnings.length = 0;
      bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
      kube.put('', 'v1', 'services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      kube.put('cis.f5.com', 'v1', 'virtualservers', vs('a'));
    });
    afterEach(async () => {
      await controller?.stop();
      controller = undefined;
      await bigip.close();
    });

    const start = async (): Promise<RunningController> => {
      const api = fakeBigipClient(bigip.url);
      controller = await startController({
        config,
        clusters: [{ name: 'local', kubeConfig: kubeConfigFor(kube.url) }],
        namespace: 'kube-as3',
        bigip: api,
        validators: [projectValidator()],
        log,
        watch: { watchdogIntervalMs: 0 },
        apiTimeoutMs: 200,
        reconciler: { retryDelayMs: () => 1 },
      });
      return controller;
    };

    it('a pass whose IPAM read hangs fails with the deadline in its failure and is retried, then applies', async () => {
      kube.hang({ method: 'GET', path: /\/ipamallocations\/kube-as3-it$/ });
      const failures: string[] = [];
      const running = await start();
      running.events.on('pass', (record: PassRecord) => void (record.failure !== undefined && failures.push(record.failure)));
      await passUntil(running, () => statusOf('a')?.['status'] === 'Ok');
      assert.deepEqual(failures, ['IPAMAllocation kube-as3/kube-as3-it: cannot read: no answer from the API server within 0.2 s']);
      assert.ok(bigip.tenants()['shop']?.['crd_10_1_2_10_80'], 'the BIG-IP holds the VirtualServer');
    });

    it('a pass whose status write hangs finishes after the deadline, logs it, and a later pass writes the status', async () => {
      kube.hang({ method: 'PATCH', path: /\/virtualservers\/a\/status$/ });
      const running = await start();
      await kube.waitForHung(1);
      await passUntil(running, () => warnings.some((w) => w.includes('no answer')));
      assert.deepEqual(
        warnings.filter((w) => w.includes('no answer')),
        ['status not written: VirtualServer shop/a: cannot write status: no answer from the API server within 0.2 s'],
      );
      assert.ok(bigip.tenants()['shop']?.['crd_10_1_2_10_80'], 'the pass applied before it wrote statuses');
      assert.notEqual(statusOf('a')?.['status'], 'Ok');
      // Any change brings a pass, which writes the status the hung one could not.
      kube.put('cis.f5.com', 'v1', 'virtualservers', vs('a', { annotations: { touched: 'yes' } }));
      await passUntil(running, () => statusOf('a')?.['status'] === 'Ok');
    });
  });
});
