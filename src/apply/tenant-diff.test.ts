import assert from 'node:assert/strict';
import fjp from 'fast-json-patch';
import type { As3Application, As3Tenant } from '../model/as3-types.js';
import { describeTenantChange } from './describe-diff.js';
import { diffTenant, diffTenants, tenantPatch } from './tenant-diff.js';

function app(members: string[], extra: Record<string, unknown> = {}): As3Application {
  return {
    class: 'Application',
    template: 'generic',
    vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], virtualPort: 80, pool: 'web', ...extra },
    web: { class: 'Pool', loadBalancingMode: 'round-robin', members: [{ servicePort: 8080, serverAddresses: members, shareNodes: true }] },
  };
}

function tenant(apps: Record<string, As3Application>, remark = 'managed by kube-as3 instance a'): As3Tenant {
  return { class: 'Tenant', label: 'kube-as3', remark, ...apps };
}

describe('diffTenants', () => {
  const applied = new Map([
    ['Same', tenant({ a: app(['10.1.0.1']) })],
    ['Changed', tenant({ keep: app(['10.2.0.1']), edit: app(['10.2.0.2']), drop: app(['10.2.0.3']) })],
    ['Gone', tenant({ old: app(['10.3.0.1']) })],
  ]);
  const desired = new Map([
    ['Same', tenant({ a: app(['10.1.0.1']) })],
    ['Changed', tenant({ keep: app(['10.2.0.1']), edit: app(['10.2.0.2', '10.2.0.9']), fresh: app(['10.2.0.4']) })],
    ['New', tenant({ n: app(['10.4.0.1']) })],
  ]);

  it('lists only changed tenants, by name, with applications added, removed and changed', () => {
    const changes = diffTenants(applied, desired);
    assert.deepEqual(
      changes.map((c) => [c.tenant, c.kind, c.added, c.removed, c.changed, c.propertiesChanged]),
      [
        ['Changed', 'update', ['fresh'], ['drop'], ['edit'], false],
        ['Gone', 'delete', [], ['old'], [], false],
        ['New', 'create', ['n'], [], [], false],
      ],
    );
  });

  it('an empty desired tenant is a deletion; deleting what is not there is no change', () => {
    assert.equal(diffTenant('T', tenant({ a: app([]) }), { class: 'Tenant' })?.kind, 'delete');
    assert.equal(diffTenant('T', undefined, { class: 'Tenant' }), undefined);
    assert.equal(diffTenant('T', undefined, undefined), undefined);
  });

  it('a changed marker alone is an update of tenant properties', () => {
    const change = diffTenant('T', tenant({ a: app([]) }, 'old remark'), tenant({ a: app([]) }));
    assert.deepEqual([change?.kind, change?.propertiesChanged, change?.changed], ['update', true, []]);
  });

  it('the RFC 6902 patch turns the applied tenant into the desired one', () => {
    for (const change of diffTenants(applied, desired)) {
      const before = applied.get(change.tenant);
      const after = change.kind === 'delete' ? {} : desired.get(change.tenant);
      const patched = fjp.applyPatch(structuredClone(before ?? {}), tenantPatch(change, before, desired.get(change.tenant))).newDocument;
      assert.deepEqual(patched, after, change.tenant);
    }
  });
});

describe('describeTenantChange', () => {
  it('shows members added and removed, changed properties, and added or removed applications', () => {
    const before = tenant({ shop: app(['10.1.0.1', '10.1.0.2']), legacy: app(['10.9.0.1']) });
    const after = tenant({ shop: app(['10.1.0.2', '10.1.0.3'], { snat: 'none' }), api: app(['10.3.0.1']) });
    const change = diffTenant('kubernetes', before, after);
    assert.ok(change);
    assert.equal(
      describeTenantChange(change, before, after),
      [
        'tenant kubernetes: update (1 added, 1 changed, 1 removed)',
        '  + application api',
        '      + virtual vs (Service_HTTP 10.0.0.1 port 80)',
        '      + pool web (1 members)',
        '  - application legacy',
        '  ~ application shop',
        '      ~ virtual vs snat: (unset) → "none"',
        '      + pool web member 10.1.0.3:8080',
        '      - pool web member 10.1.0.1:8080',
      ].join('\n'),
    );
  });

  it('names created and deleted tenants with their application counts', () => {
    const t = tenant({ a: app(['10.1.0.1']) });
    assert.match(
      describeTenantChange(diffTenant('T', undefined, t) ?? assert.fail(), undefined, t),
      /^tenant T: create \(1 application\)\n {2}\+ application a/,
    );
    assert.equal(
      describeTenantChange(diffTenant('T', t, undefined) ?? assert.fail(), t, undefined),
      'tenant T: delete (1 application)\n  - application a',
    );
  });

  it('shows the resources an application is made from as source lines: added, removed, or at another version (never the recorded objects)', () => {
    const withSources = (sources: Record<string, string>): As3Application => ({
      ...app(['10.1.0.1']),
      constants: {
        class: 'Constants',
        kubeAs3Sources: sources,
        kubeAs3Objects: Object.fromEntries(Object.keys(sources).map((k) => [k, { kind: 'VirtualServer', metadata: { name: k } }])),
      },
    });
    const before = tenant({
      shop: withSources({
        'VirtualServer/shop/a': 'generation 1, sha256:aaaaaaaaaaaa',
        'VirtualServer/shop/old': 'generation 2, sha256:bbbbbbbbbbbb',
      }),
    });
    const after = tenant({
      shop: withSources({
        'VirtualServer/shop/a': 'generation 2, sha256:cccccccccccc',
        'VirtualServer/shop/new': 'generation 1, sha256:dddddddddddd',
      }),
    });
    const change = diffTenant('kubernetes', before, after);
    assert.ok(change);
    assert.equal(
      describeTenantChange(change, before, after),
      [
        'tenant kubernetes: update (1 changed)',
        '  ~ application shop',
        '      ~ source VirtualServer shop/a: generation 1, sha256:aaaaaaaaaaaa → generation 2, sha256:cccccccccccc',
        '      + source VirtualServer shop/new (generation 1, sha256:dddddddddddd)',
        '      - source VirtualServer shop/old (generation 2, sha256:bbbbbbbbbbbb)',
      ].join('\n'),
    );
  });
});
