/**
 * The apply engine and the REST client against the stateful fake BIG-IP over HTTP on 127.0.0.1
 * (test/support/fake-bigip.ts), driven from planned Kubernetes inputs, and the `apply` and `diff`
 * commands end to end. Waits are injected (no real backoff sleeps).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyEngine } from '../src/apply/engine.js';
import type { ApplyInput } from '../src/apply/engine.js';
import { projectValidator } from '../src/adapters/schema-validator.js';
import type { BigipEvent } from '../src/bigip/as3-api.js';
import type { BigipRestClient } from '../src/bigip/rest-client.js';
import { validateConfig } from '../src/config/parse-config.js';
import { ClusterState } from '../src/inventory/cluster-state.js';
import { Planner } from '../src/plan/planner.js';
import { ownerRemark } from '../src/translate/declaration.js';
import { node, service, slice, virtualServer } from './support/fixtures.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { runCliCaptured } from './support/run-cli.js';
import { fakeBigipClient } from './support/fake-bigip-client.js';

const INSTANCE = 'it';

function config(): ReturnType<typeof validateConfig>['config'] & object {
  const result = validateConfig({ poolMemberType: 'cluster', bigip: { partition: 'shop' }, as3: { instance: INSTANCE } });
  assert.ok(result.config, JSON.stringify(result.errors));
  return result.config;
}

/** Two VirtualServers in tenant shop, one in tenant api, each with its Service and pods. */
function cluster(): ClusterState {
  const state = new ClusterState('c1');
  state.upsert(node('n1', '10.0.0.1'), 'Node');
  for (const [name, address, partition] of [
    ['web', '10.1.1.1', undefined],
    ['cart', '10.1.1.2', undefined],
    ['orders', '10.1.1.3', 'api'],
  ] as const) {
    state.upsert(service('shop', name, { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
    state.upsert(slice('shop', `${name}-a`, name, ['172.16.0.1']), 'EndpointSlice');
    state.upsert(
      virtualServer('shop', name, {
        host: `${name}.example.com`,
        virtualServerAddress: address,
        ...(partition ? { partition } : {}),
        pools: [{ path: '/', service: name, servicePort: 80 }],
      }),
      'VirtualServer',
    );
  }
  return state;
}

function inputOf(planner: Planner, state: ClusterState): ApplyInput {
  const plan = planner.plan(state);
  return { tenants: plan.tenants, sourcesOf: (t, a) => plan.sourcesOf(t, a) };
}

function client(fake: FakeBigip, events: BigipEvent[] = []): BigipRestClient {
  return fakeBigipClient(fake.url, { retryMaxMs: 5, onEvent: (e) => events.push(e) });
}

function engineFor(fake: FakeBigip, events: BigipEvent[] = []): ApplyEngine {
  return new ApplyEngine({ api: client(fake, events), instance: INSTANCE, schemaVersion: '3.56.0', validators: [projectValidator()] });
}

describe('apply engine against a fake BIG-IP over HTTP', () => {
  let fake: FakeBigip;
  beforeEach(async () => {
    fake = await startFakeBigip();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('first apply creates the tenants; re-applying sends nothing; one endpoint change sends only its application', async () => {
    const state = cluster();
    const planner = new Planner(config());
    const engine = engineFor(fake);
    const first = await engine.apply(inputOf(planner, state));
    assert.deepEqual([first.inSync, first.applied], [true, ['api', 'shop']]);
    assert.deepEqual(Object.keys(fake.tenants()).sort(), ['api', 'shop']);
    const writes = fake.posts.length;
    const again = await engine.apply(inputOf(planner, state));
    assert.deepEqual([again.inSync, again.posts, fake.posts.length], [true, 0, writes]);

    state.upsert(slice('shop', 'cart-a', 'cart', ['172.16.0.1', '172.16.0.2']), 'EndpointSlice');
    const change = await engine.apply(inputOf(planner, state));
    assert.equal(change.inSync, true);
    const last = fake.posts.at(-1);
    assert.match(last?.path ?? '', /^\/mgmt\/shared\/appsvcs\/declare\/shop\/applications/);
    assert.deepEqual(
      Object.keys(last?.body as object).filter((k) => k !== 'schemaVersion'),
      ['crd_10_1_1_2_80'],
    );
    const pool = (fake.tenants()['shop']?.['crd_10_1_1_2_80'] as Record<string, { members?: Array<{ serverAddresses: string[] }> }>)[
      'cart_80_shop'
    ];
    assert.deepEqual(pool?.members?.[0]?.serverAddresses, ['172.16.0.1', '172.16.0.2']);
  });

  it('a fresh engine learns what the device holds from its declaration and sends nothing when it matches', async () => {
    const state = cluster();
    const planner = new Planner(config());
    await engineFor(fake).apply(inputOf(planner, state));
    const writes = fake.posts.length;
    const restarted = await engineFor(fake).apply(inputOf(planner, state));
    assert.deepEqual([restarted.inSync, restarted.posts, fake.posts.length], [true, 0, writes]);
  });

  it('retries a busy device (503) and connection resets, then applies', async () => {
    const events: BigipEvent[] = [];
    fake.failNext(2, 503);
    fake.resetNext(1);
    const report = await engineFor(fake, events).apply(inputOf(new Planner(config()), cluster()));
    assert.equal(report.inSync, true);
    const reasons = events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.reason : ''));
    assert.ok(reasons.length >= 3, reasons.join('; '));
    assert.ok(reasons.some((r) => /503/.test(r)) && reasons.some((r) => /reset|ECONNRESET|hang up/i.test(r)), reasons.join('; '));
  });

  it('withholds only the application the device refuses and applies everything else', async () => {
    const state = cluster();
    // An iRule the device does not have: only the device can tell (the schema accepts the path).
    state.upsert(
      virtualServer('shop', 'cart', {
        host: 'cart.example.com',
        virtualServerAddress: '10.1.1.2',
        iRules: ['/Common/no_such_rule'],
        pools: [{ path: '/', service: 'cart', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    const report = await engineFor(fake).apply(inputOf(new Planner(config()), state));
    assert.equal(report.inSync, false);
    assert.deepEqual(
      report.problems.map((p) => [p.tenant, p.application, p.sources.map((s) => `${s.kind} ${s.namespace}/${s.name}`)]),
      [['shop', 'crd_10_1_1_2_80', ['VirtualServer shop/cart']]],
    );
    assert.match(report.problems[0]?.message ?? '', /no_such_rule/);
    const shop: Record<string, unknown> = fake.tenants()['shop'] ?? {};
    assert.ok(shop['crd_10_1_1_1_80'], 'the other application of the tenant is on the device');
    assert.equal(shop['crd_10_1_1_2_80'], undefined);
    assert.ok(fake.tenants()['api'], 'the other tenant is on the device');
  });

  it('leaves foreign tenants alone and deletes its own orphans', async () => {
    const foreign = { class: 'Tenant' as const, legacy: { class: 'Application', template: 'generic' } };
    fake.setTenant('api', foreign);
    fake.setTenant('old', {
      class: 'Tenant',
      label: 'kube-as3',
      remark: ownerRemark(INSTANCE),
      gone: { class: 'Application', template: 'generic' },
    });
    const report = await engineFor(fake).apply(inputOf(new Planner(config()), cluster()));
    assert.deepEqual(
      report.problems.map((p) => [p.tenant, p.sources.map((s) => s.name)]),
      [['api', ['orders']]],
    );
    assert.deepEqual(fake.tenants()['api'], foreign);
    assert.equal(fake.tenants()['old'], undefined, 'our orphan tenant is deleted');
    assert.ok(fake.tenants()['shop']);
  });
});

describe('kube-as3 apply and diff against a fake BIG-IP', () => {
  let fake: FakeBigip;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-apply-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(join(dir, 'kube-as3.yaml'), `poolMemberType: cluster\nbigip: {partition: shop}\nas3: {instance: ${INSTANCE}}\n`);
    writeFileSync(
      join(dir, 'objects.yaml'),
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [172.16.0.1]}]',
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: web, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: web.example.com, virtualServerAddress: 10.1.1.1, pools: [{path: /, service: web, servicePort: 80}]}',
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: bad, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: bad.example.com, virtualServerAddress: 10.1.1.9, iRules: [/Common/no_such_rule], pools: [{path: /, service: web, servicePort: 80}]}',
      ].join('\n---\n'),
    );
  });
  afterEach(async () => {
    await fake.close();
  });

  const args = (command: string, extra: string[] = []): string[] => [
    command,
    '-f',
    join(dir, 'objects.yaml'),
    '--config',
    join(dir, 'kube-as3.yaml'),
    '--bigip-url',
    fake.url,
    '--bigip-credentials-dir',
    dir,
    ...extra,
  ];

  it('diff shows what apply would create; apply applies the rest, names the refused resource and exits 2; then nothing is left to do but that', async () => {
    const diff = await runCliCaptured(args('diff'));
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^tenant shop: create \(2 applications\)$/m);
    assert.match(diff.stdout, /\+ virtual crd_10_1_1_1_80 \(Service_HTTP 10\.1\.1\.1 port 80\)/);

    const apply = await runCliCaptured(args('apply'));
    assert.equal(apply.code, 2, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /^VirtualServer shop\/bad: application shop\/crd_10_1_1_9_80: AS3 refused the application: .*no_such_rule/m);
    assert.ok(fake.tenants()['shop']?.['crd_10_1_1_1_80'], 'the good VirtualServer is on the device');
    assert.ok(!apply.stderr.includes('admin'), 'no credentials in the output');
    assert.equal(
      apply.stdout.trimEnd().split('\n').at(-1),
      'Applied 1 application in tenant shop (3 posts to AS3); withheld: application shop/crd_10_1_1_9_80.',
    );
    const again = await runCliCaptured(args('apply'));
    assert.equal(again.code, 2);
    assert.equal(
      again.stdout.trimEnd().split('\n').at(-1),
      'Nothing applied; withheld: application shop/crd_10_1_1_9_80.',
      'the refused application is tried again and withheld again',
    );

    const json = await runCliCaptured(args('diff', ['-o', 'json']));
    const patches = JSON.parse(json.stdout) as Record<string, Array<{ op: string; path: string }>>;
    assert.deepEqual(
      patches['shop']?.map((op) => [op.op, op.path]),
      [['add', '/crd_10_1_1_9_80']],
      'only the refused application is still missing',
    );
  });

  it('diff --against a saved declaration; apply without credentials is a usage error', async () => {
    const plan = await runCliCaptured(['plan', '-f', join(dir, 'objects.yaml'), '--config', join(dir, 'kube-as3.yaml')]);
    const saved = join(dir, 'saved.json');
    writeFileSync(saved, plan.stdout);
    const same = await runCliCaptured([
      'diff',
      '-f',
      join(dir, 'objects.yaml'),
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--against',
      saved,
    ]);
    assert.deepEqual([same.code, same.stdout], [0, 'No changes: the BIG-IP holds the desired state.\n']);
    const noCreds = await runCliCaptured([
      'apply',
      '-f',
      join(dir, 'objects.yaml'),
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--bigip-url',
      fake.url,
      '--bigip-credentials-dir',
      join(dir, 'nowhere'),
    ]);
    assert.equal(noCreds.code, 1);
    assert.match(noCreds.stderr, /^error: .*password|^error: .*username|^error: .*nowhere/m);
    assert.equal(fake.posts.length, 0);
    const inputs = ['-f', join(dir, 'objects.yaml'), '--config', join(dir, 'kube-as3.yaml')];
    const usage: Array<[string[], RegExp]> = [
      [
        ['diff', ...inputs, '--against', saved, '--bigip-url', fake.url],
        /^error: give either --against FILE or --bigip-url URL, not both$/m,
      ],
      [['diff', ...inputs], /^error: give what to compare with: --against FILE/m],
      [
        ['apply', ...inputs, '--bigip-url', 'bigip.example.net', '--bigip-credentials-dir', dir],
        /^error: --bigip-url "bigip\.example\.net" must look like https:\/\/bigip\.example\.com/m,
      ],
      [
        ['apply', ...inputs, '--bigip-url', fake.url, '--bigip-credentials-dir', dir, '--ca-file', join(dir, 'no-ca.pem')],
        /^error: CA bundle .*no-ca\.pem: cannot read: ENOENT$/m,
      ],
    ];
    for (const [argv, message] of usage) {
      const run = await runCliCaptured(argv);
      assert.equal(run.code, 1, argv.join(' '));
      assert.match(run.stderr, message);
    }
    assert.equal(fake.posts.length, 0, 'usage errors post nothing');
  });

  it('with --ipam-state: addresses survive between runs, and an unused one is freed only after the BIG-IP dropped it', async () => {
    const state = join(dir, 'ipam.json');
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      `poolMemberType: cluster\nbigip: {partition: shop}\nas3: {instance: ${INSTANCE}}\nipam: {ranges: {prod: ["10.1.2.10-10.1.2.20"]}}\n`,
    );
    const objects = (hosts: string[]): void =>
      writeFileSync(
        join(dir, 'objects.yaml'),
        [
          'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
          ...hosts.map(
            (h) =>
              `apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: ${h}, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: ${h}.example.com, ipamLabel: prod, pools: [{path: /, service: web, servicePort: 80}]}`,
          ),
        ].join('\n---\n'),
      );
    const allocations = (): Record<string, { address: string }> =>
      (JSON.parse(readFileSync(state, 'utf8')) as { allocations: Record<string, { address: string }> }).allocations;
    const releasing = (): object => (JSON.parse(readFileSync(state, 'utf8')) as { releasing: object }).releasing;

    objects(['a', 'b']);
    const first = await runCliCaptured(args('apply', ['--ipam-state', state]));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\nApplied 2 applications in tenant shop \(1 post to AS3\); nothing withheld\.\n$/);
    assert.deepEqual(
      Object.entries(allocations()).map(([k, v]) => [k, v.address]),
      [
        ['shop/a.example.com_host', '10.1.2.10'],
        ['shop/b.example.com_host', '10.1.2.11'],
      ],
    );
    assert.ok(fake.tenants()['shop']?.['crd_10_1_2_10_80']);

    objects(['b']);
    const plan = await runCliCaptured([
      'plan',
      '-f',
      join(dir, 'objects.yaml'),
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--ipam-state',
      state,
    ]);
    assert.equal(plan.code, 0);
    assert.deepEqual(Object.keys(releasing()), ['shop/a.example.com_host'], 'plan keeps the address taken: the BIG-IP still uses it');
    const second = await runCliCaptured(args('apply', ['--ipam-state', state]));
    assert.equal(second.code, 0, second.stderr);
    assert.equal(fake.tenants()['shop']?.['crd_10_1_2_10_80'], undefined);
    assert.deepEqual([Object.keys(allocations()), releasing()], [['shop/b.example.com_host'], {}], 'freed after the apply');

    objects(['b', 'c']);
    const third = await runCliCaptured(args('apply', ['--ipam-state', state]));
    assert.equal(third.code, 0, third.stderr);
    assert.equal(allocations()['shop/c.example.com_host']?.address, '10.1.2.10', 'the freed address is the lowest free one again');
    assert.equal(allocations()['shop/b.example.com_host']?.address, '10.1.2.11', 'b keeps its address');
  });

  it('refuses to apply when an input path does not exist, a file is not valid YAML, or empty inputs would delete every tenant', async () => {
    const first = await runCliCaptured(args('apply'));
    assert.equal(first.code, 2, 'the bad VirtualServer is refused, the rest applied');
    const writes = fake.posts.length;
    const missing = await runCliCaptured([...args('apply'), '-f', join(dir, 'no-such-file.yaml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: -f .*no-such-file\.yaml: does not exist; nothing was planned/m);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: [unclosed');
    const invalid = await runCliCaptured([...args('apply'), '-f', broken]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^error: nothing was applied: .*broken\.yaml could not be used/m);
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    const none = await runCliCaptured([
      'apply',
      '-f',
      empty,
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--bigip-url',
      fake.url,
      '--bigip-credentials-dir',
      dir,
    ]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /would delete every tenant of this instance \(shop\); pass --allow-delete-all/);
    assert.equal(fake.posts.length, writes, 'nothing was posted');
    assert.ok(fake.tenants()['shop']);
    const confirmed = await runCliCaptured([
      'apply',
      '-f',
      empty,
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--bigip-url',
      fake.url,
      '--bigip-credentials-dir',
      dir,
      '--allow-delete-all',
    ]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.equal(fake.tenants()['shop'], undefined);
  });

  it('applies beside a file that holds no Kubernetes object (a Helm values.yaml), with one warning for it', async () => {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'replicaCount: 2\nimage: {repository: web, tag: "1.2"}\n');
    const run = await runCliCaptured([...args('apply'), '-f', values]);
    assert.equal(run.code, 2, 'only the bad VirtualServer is refused');
    assert.match(
      run.stderr,
      new RegExp(`^File ${values}: warning: holds no Kubernetes object \\(no document has kind or metadata\\); the file was skipped$`, 'm'),
    );
    assert.ok(fake.tenants()['shop']?.['crd_10_1_1_1_80'], 'the rest was applied');
  });
});
