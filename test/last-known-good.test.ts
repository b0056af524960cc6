/**
 * Last known good, end to end (issue 13): an edit that makes a live resource invalid never takes
 * it off the BIG-IP. Each mode runs the same scenario (test/support/last-good-scenario.ts): valid
 * resources applied → an invalid edit of `solo` (alone on its virtual) and `b` (sharing a virtual
 * with `a`) → the BIG-IP keeps them as they were → restart → still unchanged → fixed → applied →
 * deleted → removed.
 * - `run` against a real Kubernetes API server (envtest) and the fake BIG-IP;
 * - `run --manifests` against a folder;
 * - the one-shot `apply` (and `diff`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { projectValidator } from '../src/adapters/schema-validator.js';
import type { BigipRestClient } from '../src/bigip/rest-client.js';
import type { Config } from '../src/config/config.js';
import { validateConfig } from '../src/config/parse-config.js';
import { startController } from '../src/controller/controller.js';
import { startManifestController } from '../src/controller/manifest-controller.js';
import type { RunningController } from '../src/controller/controller.js';
import type { Log } from '../src/controller/reconciler.js';
import { passUntil } from './support/controller-passes.js';
import { envtestForSuite, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { SHARED_APP, SOLO_APP, deviceApp, deviceSources, scenarioObjects, sharedRoutes } from './support/last-good-scenario.js';
import { runCliCaptured } from './support/run-cli.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function config(): Config {
  const parsed = validateConfig({ poolMemberType: 'cluster', bigip: { partition: 'shop' }, as3: { instance: 'lkg' } });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

function bigipClient(bigip: FakeBigip): BigipRestClient {
  return fakeBigipClient(bigip.url);
}

const BOTH_ROUTES = ['a.example.com /', 'b.example.com /'];

describe('last known good: kube-as3 run against a real API server', function () {
  this.timeout(180_000);
  let env: Envtest | undefined;
  let bigip: FakeBigip;
  let controller: RunningController | undefined;

  before(async function () {
    env = await envtestForSuite(this);
    await kubectl(env.kubeconfigPath, ['create', 'namespace', 'kube-as3']);
  });
  after(async () => {
    await env?.stop();
  });
  beforeEach(async () => {
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await bigip.close();
  });

  const start = async (): Promise<RunningController> => {
    controller = await startController({
      config: config(),
      clusters: [{ name: 'local', kubeConfig: (env as Envtest).kubeConfig() }],
      namespace: 'kube-as3',
      bigip: bigipClient(bigip),
      validators: [projectValidator()],
      log: quiet,
      watch: { watchdogIntervalMs: 0 },
    });
    return controller;
  };
  const apply = (yaml: string): Promise<string> => kubectl((env as Envtest).kubeconfigPath, ['apply', '-f', '-'], yaml);
  const statusOf = async (name: string): Promise<{ status?: string; error?: string; conditions?: Array<Record<string, unknown>> }> => {
    const api = (env as Envtest).kubeConfig().makeApiClient(CustomObjectsApi);
    const vs = (await api.getNamespacedCustomObject({
      group: 'cis.f5.com',
      version: 'v1',
      namespace: 'shop',
      plural: 'virtualservers',
      name,
    })) as { status?: Record<string, unknown> };
    return vs.status ?? {};
  };
  const states = async (): Promise<string[]> => Promise.all(['solo', 'b'].map(async (n) => String((await statusOf(n)).status)));

  it('a refused edit keeps the live version on the BIG-IP (status Error naming it), across a restart, until fixed or deleted', async () => {
    await apply(scenarioObjects({ soloAndB: 'valid', breakage: 'servicePort' }));
    let running = await start();
    await passUntil(running, async () => deviceApp(bigip, SOLO_APP) !== undefined && (await states()).join() === 'Ok,Ok');
    assert.deepEqual(sharedRoutes(bigip), BOTH_ROUTES);
    const solo = JSON.stringify(deviceApp(bigip, SOLO_APP));

    // The CRD accepts a port the Service does not have; kube-as3 refuses it. a changes meanwhile.
    await apply(scenarioObjects({ soloAndB: 'invalid', breakage: 'servicePort', aAddsV2: true }));
    await passUntil(running, async () => (await states()).join() === 'Error,Error' && sharedRoutes(bigip).includes('a.example.com /v2'));
    assert.equal(JSON.stringify(deviceApp(bigip, SOLO_APP)), solo, 'solo is served as it was');
    assert.deepEqual(
      sharedRoutes(bigip),
      ['a.example.com /v2', 'a.example.com /', 'b.example.com /'],
      "b keeps its route; a's change went through",
    );
    assert.match(deviceSources(bigip, SHARED_APP)['VirtualServer/shop/b'] ?? '', /^generation 1, sha256:[0-9a-f]{12}$/);
    const status = await statusOf('solo');
    assert.match(status.error ?? '', /spec\.pools\[0\]\.servicePort: 9999 is not a port of Service shop\/web/);
    const ready = status.conditions?.find((c) => c['type'] === 'Ready');
    assert.equal(ready?.['status'], 'False');
    assert.equal(ready?.['observedGeneration'], 2);
    assert.match(String(ready?.['message']), /the BIG-IP keeps the last good version \(generation 1, sha256:[0-9a-f]{12}\)$/);

    // A restart with the invalid resources changes nothing on the device: what it holds is the record.
    const held = JSON.stringify(bigip.tenants());
    const posts = bigip.posts.length;
    await running.stop();
    running = await start();
    await passUntil(running, () => running.reconciler.lastReport !== undefined);
    assert.equal(JSON.stringify(bigip.tenants()), held);
    assert.equal(bigip.posts.length, posts, 'nothing posted');
    assert.match(
      String((await statusOf('b')).conditions?.find((c) => c['type'] === 'Ready')?.['message']),
      /keeps the last good version \(generation 1, /,
    );
    // After the restart too, the valid resource sharing b's virtual still changes; b's route stays.
    await apply(scenarioObjects({ soloAndB: 'invalid', breakage: 'servicePort', aAddsV2: false }));
    await passUntil(running, () => !sharedRoutes(bigip).includes('a.example.com /v2'));
    assert.deepEqual(sharedRoutes(bigip), BOTH_ROUTES);
    assert.equal(JSON.stringify(deviceApp(bigip, SOLO_APP)), solo);

    await apply(scenarioObjects({ soloAndB: 'fixed', breakage: 'servicePort', aAddsV2: true }));
    await passUntil(
      running,
      async () =>
        (await states()).join() === 'Ok,Ok' &&
        /^generation 3,/.test(deviceSources(bigip, SOLO_APP)['VirtualServer/shop/solo'] ?? '') &&
        sharedRoutes(bigip).includes('a.example.com /v2'),
    );
    assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /', 'b-fixed.example.com /']);

    await kubectl((env as Envtest).kubeconfigPath, ['delete', '-n', 'shop', 'virtualserver', 'solo', 'b']);
    await passUntil(running, () => deviceApp(bigip, SOLO_APP) === undefined && sharedRoutes(bigip).length === 2);
    assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /']);
  });
});

describe('last known good: kube-as3 run --manifests', function () {
  this.timeout(60_000);
  let bigip: FakeBigip;
  let dir: string;
  let controller: RunningController | undefined;
  beforeEach(async () => {
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-lkg-'));
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await bigip.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (): Promise<RunningController> => {
    controller = await startManifestController({
      config: config(),
      dir,
      bigip: bigipClient(bigip),
      validators: [projectValidator()],
      log: quiet,
      settleMs: 10,
    });
    return controller;
  };
  const write = (step: Parameters<typeof scenarioObjects>[0]): void => writeFileSync(join(dir, 'objects.yaml'), scenarioObjects(step));

  it('keeps the invalid resources as they were, across a restart; a sharing resource still changes; fixed and deleted as usual', async () => {
    write({ soloAndB: 'valid', breakage: 'loadBalancingMethod' });
    let running = await start();
    await passUntil(running, () => running.reconciler.lastReport?.inSync === true && deviceApp(bigip, SOLO_APP) !== undefined);
    const solo = JSON.stringify(deviceApp(bigip, SOLO_APP));

    write({ soloAndB: 'invalid', breakage: 'loadBalancingMethod', aAddsV2: true });
    await passUntil(running, () => running.reconciler.lastKept?.kept.size === 2);
    assert.equal(JSON.stringify(deviceApp(bigip, SOLO_APP)), solo);
    assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /', 'b.example.com /']);
    assert.match(
      running.reconciler.lastKept?.kept.get('VirtualServer/shop/solo')?.version ?? '',
      /^sha256:[0-9a-f]{12}$/,
      'offline, the version is a content hash',
    );

    const held = JSON.stringify(bigip.tenants());
    await running.stop();
    running = await start();
    await passUntil(running, () => running.reconciler.lastReport !== undefined);
    assert.equal(JSON.stringify(bigip.tenants()), held, 'a restart with invalid resources changes nothing');
    assert.deepEqual([...(running.reconciler.lastKept?.kept.keys() ?? [])].sort(), ['VirtualServer/shop/b', 'VirtualServer/shop/solo']);

    write({ soloAndB: 'fixed', breakage: 'loadBalancingMethod', aAddsV2: true });
    await passUntil(running, () => sharedRoutes(bigip).includes('b-fixed.example.com /'));
    assert.equal(running.reconciler.lastKept?.kept.size, 0);
    write({ soloAndB: 'deleted', breakage: 'loadBalancingMethod', aAddsV2: true });
    await passUntil(running, () => deviceApp(bigip, SOLO_APP) === undefined);
    assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /']);
  });
});

describe('last known good: kube-as3 apply and diff', () => {
  let bigip: FakeBigip;
  let dir: string;
  beforeEach(async () => {
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-lkg-'));
    writeFileSync(join(dir, 'kube-as3.yaml'), 'poolMemberType: cluster\nbigip: {partition: shop}\nas3: {instance: lkg}\n');
  });
  afterEach(async () => {
    await bigip.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (command: 'apply' | 'diff', step: Parameters<typeof scenarioObjects>[0]): ReturnType<typeof runCliCaptured> => {
    writeFileSync(join(dir, 'objects.yaml'), scenarioObjects(step));
    return runCliCaptured([command, '-f', join(dir, 'objects.yaml'), '--config', join(dir, 'kube-as3.yaml'), '--bigip-url', bigip.url]);
  };

  it('an invalid edit applies nothing of the invalid resources (exit 2, named with the kept version); fixed and deleted as usual', async () => {
    process.env['BIGIP_USERNAME'] = 'admin';
    process.env['BIGIP_PASSWORD'] = 'admin';
    try {
      assert.equal((await run('apply', { soloAndB: 'valid', breakage: 'loadBalancingMethod' })).code, 0);
      const held = JSON.stringify(bigip.tenants());

      const diff = await run('diff', { soloAndB: 'invalid', breakage: 'loadBalancingMethod' });
      assert.equal(diff.code, 2);
      assert.match(diff.stdout, /^No changes/, 'diff shows no removal');
      const solo = JSON.stringify(deviceApp(bigip, SOLO_APP));
      const applied = await run('apply', { soloAndB: 'invalid', breakage: 'loadBalancingMethod', aAddsV2: true });
      assert.equal(applied.code, 2, applied.stderr);
      assert.equal(JSON.stringify(deviceApp(bigip, SOLO_APP)), solo, 'solo stays as it was');
      assert.deepEqual(
        sharedRoutes(bigip),
        ['a.example.com /v2', 'a.example.com /', 'b.example.com /'],
        "b is planned from the version the BIG-IP recorded; a's change goes through",
      );
      assert.notEqual(JSON.stringify(bigip.tenants()), held);
      assert.match(
        applied.stderr,
        /^VirtualServer shop\/solo: invalid, so the BIG-IP keeps its last good version \(sha256:[0-9a-f]{12}\) in shop\/crd_10_1_1_2_80; fix the error, or delete the resource to remove it$/m,
      );
      assert.match(
        applied.stderr,
        /^VirtualServer shop\/b: invalid, so the BIG-IP keeps its last good version \(sha256:[0-9a-f]{12}\) in shop\/crd_10_1_1_1_80; fix the error, or delete the resource to remove it$/m,
      );
      assert.doesNotMatch(applied.stderr, /wait/);
      assert.match(applied.stderr, /^VirtualServer shop\/b: spec\.pools\[0\]\.loadBalancingMethod: /m);
      const posts = bigip.posts.length;
      const again = await run('apply', { soloAndB: 'invalid', breakage: 'loadBalancingMethod', aAddsV2: true });
      assert.equal(again.code, 2);
      assert.match(
        again.stdout,
        /^No changes: the BIG-IP already holds the desired state; withheld: VirtualServer shop\/b, VirtualServer shop\/solo\.$/m,
      );
      assert.equal(bigip.posts.length, posts, 'a second apply of the same inputs posts nothing');

      assert.equal((await run('apply', { soloAndB: 'fixed', breakage: 'loadBalancingMethod', aAddsV2: true })).code, 0);
      assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /', 'b-fixed.example.com /']);
      assert.equal((await run('apply', { soloAndB: 'deleted', breakage: 'loadBalancingMethod', aAddsV2: true })).code, 0);
      assert.equal(deviceApp(bigip, SOLO_APP), undefined);
      assert.deepEqual(sharedRoutes(bigip), ['a.example.com /v2', 'a.example.com /']);
    } finally {
      delete process.env['BIGIP_USERNAME'];
      delete process.env['BIGIP_PASSWORD'];
    }
  });
});
