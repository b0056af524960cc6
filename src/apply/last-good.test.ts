import assert from 'node:assert/strict';
import type { As3Tenant } from '../model/as3-types.js';
import { describeLastGood, desiredAgainstDevice, keepLastGood, keptAddresses } from './last-good.js';

function app(sources: Record<string, string>, address: string | { use: string }, pool: string): Record<string, unknown> {
  return {
    class: 'Application',
    template: 'generic',
    constants: { class: 'Constants', kubeAs3Sources: sources },
    [pool]: { class: 'Pool', members: [] },
    virtual: { class: 'Service_HTTP', virtualAddresses: [address], virtualPort: 80, pool },
  };
}

function tenant(apps: Record<string, unknown>): As3Tenant {
  return { class: 'Tenant', label: 'kube-as3', remark: 'managed by kube-as3 instance it', ...apps } as As3Tenant;
}

const V1 = 'generation 3, sha256:aaaaaaaaaaaa';
const device = new Map([
  [
    'shop',
    tenant({
      Shared: {
        class: 'Application',
        template: 'shared',
        crd_service_address_10_1_0_2: { class: 'Service_Address', virtualAddress: '10.1.0.2' },
        other: { class: 'Service_Address', virtualAddress: '10.1.0.9' },
      },
      crd_10_1_0_1_80: app({ 'VirtualServer/shop/web': V1 }, '10.1.0.1', 'web_old'),
      crd_10_1_0_2_80: app(
        { 'VirtualServer/shop/api': 'sha256:bbbbbbbbbbbb', 'VirtualServer/shop/web': V1 },
        { use: '/shop/Shared/crd_service_address_10_1_0_2' },
        'api_old',
      ),
      crd_10_1_0_3_80: app({ 'VirtualServer/shop/docs': 'sha256:cccccccccccc' }, '10.1.0.3', 'docs_old'),
    }),
  ],
]);

describe('keepLastGood: an invalid resource keeps what the BIG-IP holds of it', () => {
  const cases: Array<{
    what: string;
    desired: Map<string, As3Tenant>;
    invalid: string[];
    apps: Record<string, string>;
    waiting: string[];
  }> = [
    {
      what: 'the invalid resource is left out of the plan: both its applications stay as on the device, the Service_Address they use too',
      desired: new Map([
        ['shop', tenant({ crd_10_1_0_3_80: app({ 'VirtualServer/shop/docs': 'sha256:dddddddddddd' }, '10.1.0.3', 'docs_new') })],
      ]),
      invalid: ['VirtualServer/shop/web'],
      apps: { crd_10_1_0_1_80: 'web_old', crd_10_1_0_2_80: 'api_old', crd_10_1_0_3_80: 'docs_new' },
      waiting: [],
    },
    {
      what: 'a valid resource sharing the listener: its change to that listener waits, its other listeners change',
      desired: new Map([
        [
          'shop',
          tenant({
            crd_10_1_0_2_80: app({ 'VirtualServer/shop/api': 'sha256:eeeeeeeeeeee' }, '10.1.0.2', 'api_new'),
            crd_10_1_0_3_80: app({ 'VirtualServer/shop/docs': 'sha256:dddddddddddd' }, '10.1.0.3', 'docs_new'),
          }),
        ],
      ]),
      invalid: ['VirtualServer/shop/web'],
      apps: { crd_10_1_0_1_80: 'web_old', crd_10_1_0_2_80: 'api_old', crd_10_1_0_3_80: 'docs_new' },
      waiting: ['VirtualServer/shop/api'],
    },
    {
      what: 'nothing invalid: the plan as it is (a deleted resource is removed)',
      desired: new Map([
        ['shop', tenant({ crd_10_1_0_3_80: app({ 'VirtualServer/shop/docs': 'sha256:dddddddddddd' }, '10.1.0.3', 'docs_new') })],
      ]),
      invalid: [],
      apps: { crd_10_1_0_3_80: 'docs_new' },
      waiting: [],
    },
    {
      what: 'an invalid resource the device never held: nothing to keep',
      desired: new Map(),
      invalid: ['VirtualServer/shop/new'],
      apps: {},
      waiting: [],
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const frozen = JSON.stringify([...c.desired]);
      const result = keepLastGood(c.desired, device, new Set(c.invalid));
      const shop = result.tenants.get('shop') ?? tenant({});
      const apps = Object.fromEntries(
        Object.entries(shop)
          .filter(([k, v]) => k !== 'Shared' && typeof v === 'object')
          .map(([k, v]) => [k, String((v as { virtual: { pool: string } }).virtual.pool)]),
      );
      assert.deepEqual(apps, c.apps);
      assert.deepEqual([...result.waiting.keys()], c.waiting);
      assert.equal(JSON.stringify([...c.desired]), frozen, 'the desired tenants are not modified');
    });
  }

  it('names the kept version, the applications and the addresses (IPAM keeps them taken)', () => {
    const desired = new Map<string, As3Tenant>();
    const result = keepLastGood(desired, device, new Set(['VirtualServer/shop/web']));
    const kept = result.kept.get('VirtualServer/shop/web');
    assert.equal(kept?.version, V1);
    assert.deepEqual(kept?.applications, ['shop/crd_10_1_0_1_80', 'shop/crd_10_1_0_2_80']);
    assert.deepEqual([...keptAddresses(result)], ['10.1.0.1', '10.1.0.2']);
    const shared = result.tenants.get('shop')?.['Shared'] as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(shared),
      ['class', 'template', 'crd_service_address_10_1_0_2'],
      'only the Shared objects a kept application uses',
    );
    assert.equal(
      result.tenants.get('shop')?.['remark'],
      'managed by kube-as3 instance it',
      'a tenant the plan lacks is rebuilt with the ownership marker',
    );
    assert.deepEqual(describeLastGood(result), [
      `VirtualServer shop/web: invalid, so the BIG-IP keeps its last good version (${V1}) in shop/crd_10_1_0_1_80, shop/crd_10_1_0_2_80; fix the error, or delete the resource to remove it`,
    ]);
  });

  it("a tenant of kept applications compares equal to the device's (no post when nothing else changed)", () => {
    const onlyWeb = new Map([['shop', tenant({ crd_10_1_0_1_80: (device.get('shop') as As3Tenant)['crd_10_1_0_1_80'] })]]);
    const result = desiredAgainstDevice({ tenants: new Map(), invalid: new Set(['VirtualServer/shop/web']) }, onlyWeb, []);
    assert.deepEqual(result.tenants.get('shop'), onlyWeb.get('shop'));
  });
});
