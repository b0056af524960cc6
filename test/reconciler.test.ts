/**
 * The live loop (src/controller/reconciler.ts) against the fake BIG-IP over HTTP, with the cluster
 * state changed directly (the watch layer has its own tests) and an in-memory IPAM store that
 * another writer can race. Passes are awaited (`idle()`), never slept on.
 */
import assert from 'node:assert/strict';
import { ApplyEngine } from '../src/apply/engine.js';
import type { ApplyReport } from '../src/apply/engine.js';
import { projectValidator } from '../src/adapters/schema-validator.js';
import { validateConfig } from '../src/config/parse-config.js';
import { Reconciler } from '../src/controller/reconciler.js';
import type { Log, PassRecord } from '../src/controller/reconciler.js';
import { ClusterState } from '../src/inventory/cluster-state.js';
import { MemoryIpamStore } from '../src/ipam/store.js';
import type { ObjectRef } from '../src/kube/refs.js';
import type { Plan } from '../src/plan/plan.js';
import { service, slice, virtualServer } from './support/fixtures.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

const INSTANCE = 'live';

function recorder(): Log & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    info: (_o, msg) => void lines.push(['info', msg]),
    warn: (_o, msg) => void lines.push(['warn', msg]),
    error: (_o, msg) => void lines.push(['error', msg]),
  };
}

function shop(hosts: string[]): ClusterState {
  const state = new ClusterState('c1');
  state.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
  state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1']), 'EndpointSlice');
  for (const h of hosts)
    state.upsert(
      virtualServer('shop', h, { host: `${h}.example.com`, ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] }),
      'VirtualServer',
    );
  return state;
}

describe('Reconciler: the live loop against a fake BIG-IP', () => {
  let fake: FakeBigip;
  const parsed = validateConfig({
    poolMemberType: 'cluster',
    bigip: { partition: 'shop' },
    as3: { instance: INSTANCE },
    ipam: { ranges: { prod: ['10.1.2.10-10.1.2.12'] } },
  });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  beforeEach(async () => {
    fake = await startFakeBigip({ asyncPollsBeforeDone: 0 });
  });
  afterEach(async () => {
    await fake.close();
  });

  type Events = Array<{ ref: ObjectRef; reason: string; message: string }>;
  function setup(
    state: ClusterState,
    store = new MemoryIpamStore(),
    unreadable: string[] = [],
  ): {
    reconciler: Reconciler;
    log: ReturnType<typeof recorder>;
    passes: PassRecord[];
    published: Array<{ plan: Plan; report: ApplyReport | undefined }>;
    retries: Array<() => void>;
    store: MemoryIpamStore;
    events: Events;
  } {
    const api = fakeBigipClient(fake.url, { maxRetries: 1 });
    const engine = new ApplyEngine({ api, instance: INSTANCE, schemaVersion: '3.56.0', validators: [projectValidator()] });
    const log = recorder();
    const passes: PassRecord[] = [];
    const published: Array<{ plan: Plan; report: ApplyReport | undefined }> = [];
    const retries: Array<() => void> = [];
    const events: Events = [];
    const reconciler = new Reconciler({
      events: { record: (appeared) => Promise.resolve(void events.push(...appeared)) },
      config,
      source: () => state,
      engine,
      ipam: store,
      log,
      unreadable: () => unreadable,
      status: { publish: (plan, report) => Promise.resolve(void published.push({ plan, report })) },
      onPass: (r) => void passes.push(r),
      setTimer: (fn) => {
        retries.push(fn);
        return { cancel: () => undefined };
      },
    });
    return { reconciler, log, passes, published, retries, store, events };
  }

  it('applies the plan, stores new addresses first, publishes statuses, and coalesces changes that arrive during a pass', async () => {
    const state = shop(['a']);
    const { reconciler, passes, published, store } = setup(state);
    reconciler.trigger();
    state.upsert(
      virtualServer('shop', 'b', { host: 'b.example.com', ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] }),
      'VirtualServer',
    );
    reconciler.trigger();
    reconciler.trigger();
    await reconciler.idle();
    assert.equal(passes.length, 2, 'one pass, then one more for everything that came meanwhile');
    assert.deepEqual(
      Object.keys(fake.tenants()['shop'] ?? {})
        .filter((k) => k.startsWith('crd_'))
        .sort(),
      ['crd_10_1_2_10_80', 'crd_10_1_2_11_80'],
    );
    const stored = await store.load();
    assert.deepEqual(
      Object.values(stored.state.allocations)
        .map((a) => a.address)
        .sort(),
      ['10.1.2.10', '10.1.2.11'],
    );
    assert.equal(published.at(-1)?.report?.inSync, true);
    assert.deepEqual(
      published
        .at(-1)
        ?.plan.resources()
        .map((r) => r.addresses[0])
        .sort(),
      ['10.1.2.10', '10.1.2.11'],
    );
  });

  it('re-plans on the stored allocations when another writer won the compare-and-swap: no address is given twice', async () => {
    const store = new MemoryIpamStore();
    let raced = false;
    store.beforeSave = async () => {
      if (raced) return;
      raced = true;
      // Another replica (same instance, same resources) stores its allocation between our load and our save.
      const { state, version } = await store.load();
      await store.save(
        { ...state, allocations: { ...state.allocations, 'shop/a.example.com_host': { label: 'prod', address: '10.1.2.12' } } },
        version,
      );
    };
    const state = shop(['a']);
    const { reconciler } = setup(state, store);
    reconciler.trigger();
    await reconciler.idle();
    const stored = await store.load();
    assert.deepEqual(
      Object.entries(stored.state.allocations).map(([k, v]) => `${k}=${v.address}`),
      ['shop/a.example.com_host=10.1.2.12'],
      "the winner's address, not a second one",
    );
    assert.ok(fake.tenants()['shop']?.['crd_10_1_2_12_80']);
    assert.equal(fake.tenants()['shop']?.['crd_10_1_2_10_80'], undefined);
    assert.equal(store.conflicts, 1);
  });

  it('keeps a live address outside the ranges: served there, stored as it was, one warning log and one Warning Event', async () => {
    const kept = { allocations: { 'shop/a.example.com_host': { label: 'prod', address: '10.1.9.9' } }, releasing: {} };
    const { reconciler, store, log, events } = setup(shop(['a']), new MemoryIpamStore(kept));
    reconciler.trigger();
    await reconciler.idle();
    reconciler.trigger();
    await reconciler.idle();
    assert.ok(fake.tenants()['shop']?.['crd_10_1_9_9_80']);
    assert.deepEqual((await store.load()).state, kept);
    const warned = log.lines.filter(([level, msg]) => level === 'warn' && msg.includes('keeps address 10.1.9.9'));
    assert.equal(warned.length, 1, JSON.stringify(log.lines));
    assert.deepEqual(
      events.map((e) => [e.ref.name, e.reason]),
      [['a', 'IPAMAddressKept']],
    );
    assert.match(
      events[0]?.message ?? '',
      /^spec\.ipamLabel: keeps address 10\.1\.9\.9 although it is outside the ranges of IPAM label "prod" \(10\.1\.2\.10-10\.1\.2\.12\)/,
    );
  });

  it('frees an address only after the BIG-IP dropped its virtual', async () => {
    const state = shop(['a', 'b']);
    const { reconciler, store } = setup(state);
    reconciler.trigger();
    await reconciler.idle();
    state.remove('VirtualServer', 'shop', 'a');
    reconciler.trigger();
    await reconciler.idle();
    assert.equal(fake.tenants()['shop']?.['crd_10_1_2_10_80'], undefined);
    const stored = await store.load();
    assert.deepEqual([Object.keys(stored.state.allocations), stored.state.releasing], [['shop/b.example.com_host'], {}]);
  });

  it('a BIG-IP failure logs, deletes nothing, and retries the pass later', async () => {
    const state = shop(['a']);
    const { reconciler, log, passes, retries } = setup(state);
    reconciler.trigger();
    await reconciler.idle();
    const before = fake.tenants()['shop'];
    state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1', '172.16.0.2']), 'EndpointSlice');
    fake.failNext(2, 503, { code: 503, message: 'busy' }); // the post and its one retry
    reconciler.trigger();
    await reconciler.idle();
    assert.match(passes.at(-1)?.failure ?? '', /^BIG-IP: /, JSON.stringify(passes.at(-1)));
    assert.ok(log.lines.some(([level, msg]) => level === 'error' && msg.startsWith('reconcile failed')));
    assert.deepEqual(fake.tenants()['shop'], before, 'the device keeps what it had');
    assert.equal(retries.length, 1, 'a retry is scheduled');
    (retries[0] as () => void)();
    await reconciler.idle();
    assert.equal(passes.at(-1)?.inSync, true, JSON.stringify(passes));
    assert.equal(passes.at(-1)?.translated, 0, 'the plan was made in the failed pass: the retry only applies it');
    assert.match(JSON.stringify(fake.tenants()['shop']), /172\.16\.0\.2/);
  });

  it('logs each problem once, and says when it is resolved', async () => {
    const state = shop([]);
    state.upsert(
      virtualServer('shop', 'bad', {
        host: 'bad.example.com',
        virtualServerAddress: '10.1.3.1',
        pools: [{ path: '/', service: 'web', servicePort: 9999 }],
      }),
      'VirtualServer',
    );
    const { reconciler, log } = setup(state);
    reconciler.trigger();
    await reconciler.idle();
    reconciler.trigger();
    await reconciler.idle();
    const reported = log.lines.filter(([, msg]) => msg.includes('VirtualServer shop/bad'));
    assert.equal(reported.length, 1, JSON.stringify(log.lines));
    state.upsert(
      virtualServer('shop', 'bad', {
        host: 'bad.example.com',
        virtualServerAddress: '10.1.3.1',
        pools: [{ path: '/', service: 'web', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    reconciler.trigger();
    await reconciler.idle();
    assert.ok(log.lines.some(([level, msg]) => level === 'info' && msg.startsWith('resolved: VirtualServer shop/bad')));
  });

  it('a restart while a cluster cannot be read keeps what the BIG-IP holds from it', async () => {
    const store = new MemoryIpamStore();
    const first = setup(shop(['a', 'b']), store);
    first.reconciler.trigger();
    await first.reconciler.idle();
    const second = setup(shop(['a']), store, ['west']);
    second.reconciler.trigger();
    await second.reconciler.idle();
    assert.ok(fake.tenants()['shop']?.['crd_10_1_2_11_80'], 'b may come from west, which is unknown: kept');
    const third = setup(shop(['a']), store);
    third.reconciler.trigger();
    await third.reconciler.idle();
    assert.equal(fake.tenants()['shop']?.['crd_10_1_2_11_80'], undefined, 'every cluster read: b is gone');
  });

  it('paused (leadership lost), it runs no pass; resumed, it reads the BIG-IP again and corrects what another leader left', async () => {
    const state = shop(['a']);
    const { reconciler, passes } = setup(state);
    reconciler.trigger();
    await reconciler.idle();
    reconciler.pause();
    state.upsert(
      virtualServer('shop', 'b', { host: 'b.example.com', ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] }),
      'VirtualServer',
    );
    reconciler.trigger();
    await reconciler.idle();
    assert.equal(passes.length, 1, 'no pass while paused');
    const tenant = fake.tenants()['shop'] as Record<string, unknown>;
    delete tenant['crd_10_1_2_10_80'];
    fake.setTenant('shop', tenant as never);
    reconciler.resume();
    await reconciler.idle();
    assert.equal(passes.length, 2);
    assert.ok(fake.tenants()['shop']?.['crd_10_1_2_10_80'], 'restored: the engine read the device again');
    assert.ok(fake.tenants()['shop']?.['crd_10_1_2_11_80'], 'and the change made while paused is applied');
  });

  it('with as3.postDelayMs, a burst of changes waits out the delay and becomes one pass; stopping cancels a waiting pass', async () => {
    const delayed = validateConfig({
      poolMemberType: 'cluster',
      bigip: { partition: 'shop' },
      as3: { instance: INSTANCE, postDelayMs: 5000 },
      ipam: { ranges: { prod: ['10.1.2.10-10.1.2.12'] } },
    });
    if (!delayed.config) throw new Error(delayed.errors.join('; '));
    const state = shop(['a']);
    const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
    const passes: PassRecord[] = [];
    const api = fakeBigipClient(fake.url, { maxRetries: 1 });
    const engine = new ApplyEngine({ api, instance: INSTANCE, schemaVersion: '3.56.0', validators: [projectValidator()] });
    const reconciler = new Reconciler({
      config: delayed.config,
      source: () => state,
      engine,
      log: recorder(),
      onPass: (r) => void passes.push(r),
      setTimer: (fn, ms) => {
        const timer = { fn, ms, cancelled: false };
        timers.push(timer);
        return { cancel: () => void (timer.cancelled = true) };
      },
    });
    await reconciler.init();
    reconciler.trigger();
    state.upsert(
      virtualServer('shop', 'b', { host: 'b.example.com', ipamLabel: 'prod', pools: [{ path: '/', service: 'web', servicePort: 80 }] }),
      'VirtualServer',
    );
    reconciler.trigger();
    assert.deepEqual(
      timers.map((t) => t.ms),
      [5000],
      'one wait for the whole burst',
    );
    assert.equal(passes.length, 0, 'nothing is posted before the delay');
    const waiting = reconciler.idle();
    timers[0]?.fn();
    await waiting;
    assert.equal(passes.length, 1);
    assert.deepEqual(
      Object.keys(fake.tenants()['shop'] ?? {})
        .filter((k) => k.startsWith('crd_'))
        .sort(),
      ['crd_10_1_2_10_80', 'crd_10_1_2_11_80'],
    );
    reconciler.trigger();
    assert.equal(timers.length, 2);
    reconciler.stop();
    assert.equal(timers[1]?.cancelled, true);
    await reconciler.idle();
    assert.equal(passes.length, 1, 'a stopped controller posts nothing more');
  });
});
