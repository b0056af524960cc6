import assert from 'node:assert/strict';
import type { As3Tenant } from '../model/as3-types.js';
import { carryOverUnreadable, describeCarryOver } from './carry-over.js';

const entry = (cluster: string, addresses: string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  servicePort: 8080,
  serverAddresses: addresses,
  ...extra,
  remark: `cluster ${cluster}`,
  shareNodes: true,
});

function tenant(apps: Record<string, Record<string, unknown>>): As3Tenant {
  return { class: 'Tenant', label: 'kube-as3', remark: 'kube-as3 instance it', ...apps } as As3Tenant;
}

function app(pools: Record<string, unknown[]>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { class: 'Application', template: 'generic', ...extra };
  for (const [name, members] of Object.entries(pools))
    out[name] = { class: 'Pool', loadBalancingMode: 'round-robin', members, remark: 'shop/web:80' };
  return out;
}

function members(t: As3Tenant | undefined, application: string, pool: string): unknown {
  return (t?.[application] as Record<string, Record<string, unknown>> | undefined)?.[pool]?.['members'];
}

describe('carryOverUnreadable: what the BIG-IP has from clusters that cannot be read', () => {
  const current = new Map([
    [
      'shop',
      tenant({
        web: app({ web_80_shop: [entry('east', ['10.1.0.1', '10.1.0.9']), entry('south', ['10.3.0.1'], { ratio: 2 })] }),
        only_south: app({ api_80_shop: [entry('south', ['10.3.1.1'])] }),
        Shared: {
          class: 'Application',
          template: 'shared',
          crd_service_address_10_8_0_5: { class: 'Service_Address', virtualAddress: '10.8.0.5' },
        },
      }),
    ],
    ['old', tenant({ gone: app({ p: [entry('south', ['10.3.2.1'])] }) })],
  ]);
  const desired = new Map([
    [
      'shop',
      tenant({
        web: app({ web_80_shop: [entry('east', ['10.1.0.1'])] }),
        Shared: { class: 'Application', template: 'shared' },
      }),
    ],
  ]);
  const frozen = JSON.stringify([...desired]);

  it("keeps the unreadable cluster's member entries in pools the plan has; readable clusters' changes go through", () => {
    const result = carryOverUnreadable(desired, current, ['south']);
    assert.deepEqual(
      members(result.tenants.get('shop'), 'web', 'web_80_shop'),
      [entry('east', ['10.1.0.1']), entry('south', ['10.3.0.1'], { ratio: 2 })],
      'east lost 10.1.0.9 (east was read), south keeps its member with its ratio',
    );
    assert.equal(result.keptMembers, 1);
  });

  it('keeps applications and tenants the plan no longer has, and Shared objects it lacks: nothing is deleted while a cluster is unknown', () => {
    const result = carryOverUnreadable(desired, current, ['south']);
    assert.deepEqual(result.keptApplications, ['shop/only_south', 'old/gone']);
    assert.ok(result.tenants.get('shop')?.['only_south']);
    assert.ok(result.tenants.get('old'));
    assert.ok((result.tenants.get('shop')?.['Shared'] as Record<string, unknown>)['crd_service_address_10_8_0_5']);
    assert.match(
      describeCarryOver(result, ['south']) ?? '',
      /^cluster south cannot be read: kept 1 pool member entry and 2 application\(s\) the plan no longer has \(shop\/only_south, old\/gone\) as the BIG-IP has them; deletions wait until every cluster can be read$/,
    );
  });

  it('does not list an entry twice when the plan already has it', () => {
    const planned = new Map([
      ['shop', tenant({ web: app({ web_80_shop: [entry('east', ['10.1.0.1']), entry('south', ['10.3.0.1'], { ratio: 2 })] }) })],
    ]);
    const result = carryOverUnreadable(planned, current, ['south']);
    assert.equal((members(result.tenants.get('shop'), 'web', 'web_80_shop') as unknown[]).length, 2);
    assert.equal(result.keptMembers, 0);
  });

  it('with every cluster readable: the plan as it is (orphans are deleted as usual), and the inputs are never modified', () => {
    const result = carryOverUnreadable(desired, current, []);
    assert.deepEqual([...result.tenants.keys()], ['shop']);
    assert.equal(result.tenants.get('shop'), desired.get('shop'));
    assert.equal(describeCarryOver(result, []), undefined);
    carryOverUnreadable(desired, current, ['south']);
    assert.equal(JSON.stringify([...desired]), frozen);
  });
});
