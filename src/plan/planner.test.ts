import assert from 'node:assert/strict';
import type { Config } from '../config/config.js';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import type { EndpointSlice, KubeObject } from '../kube/types.js';
import { SHOP_CERT, SHOP_KEY } from '../../test/support/certificates.js';
import { cisResource, node, service, slice, tlsSecret, transportServer, virtualServer } from '../../test/support/fixtures.js';
import { Planner } from './planner.js';
import type { Plan } from './plan.js';

function config(extra: object): Config {
  const result = validateConfig(extra);
  assert.ok(result.config, JSON.stringify(result.errors));
  return result.config;
}

/** Three apps in two tenants, each with its own Service. */
function populated(): ClusterState {
  const state = new ClusterState('c1');
  state.upsert(node('n1', '10.0.0.1'), 'Node');
  for (const [i, partition] of [
    [1, undefined],
    [2, undefined],
    [3, 'other'],
  ] as const) {
    state.upsert(
      service('ns', `svc${i}`, { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + i }] }),
      'Service',
    );
    state.upsert(slice('ns', `svc${i}-a`, `svc${i}`, [`172.16.0.${i}`]), 'EndpointSlice');
    state.upsert(
      virtualServer('ns', `vs${i}`, {
        virtualServerAddress: `10.1.1.${i}`,
        ...(partition ? { partition } : {}),
        pools: [{ service: `svc${i}`, servicePort: 80 }],
      }),
      'VirtualServer',
    );
  }
  return state;
}

/** The invariant of incremental planning: the result equals what a fresh planner computes. */
function assertEqualsColdPlan(plan: Plan, state: ClusterState): void {
  const cold = new Planner(config({ poolMemberType: 'cluster' })).plan(state);
  assert.equal(JSON.stringify(plan.declaration), JSON.stringify(cold.declaration));
}

function appOf(planner: Planner, state: ClusterState, tenant: string, app: string): unknown {
  return (planner.plan(state).declaration.declaration[tenant] as Record<string, unknown>)[app];
}

describe('Planner (incremental)', () => {
  it('translates everything once, then nothing when nothing changed', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    const first = planner.plan(state);
    assert.equal(first.translated, 3);
    assert.deepEqual([...first.tenants.keys()].sort(), ['kubernetes', 'other']);
    const second = planner.plan(state);
    assert.equal(second.translated, 0);
    assert.equal(JSON.stringify(second.declaration), JSON.stringify(first.declaration));
  });

  it('re-translates only the application whose endpoints changed, and the result equals a cold plan', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    planner.plan(state);
    const changed: EndpointSlice = slice('ns', 'svc2-a', 'svc2', ['172.16.0.2', '172.16.0.22']);
    state.upsert(changed, 'EndpointSlice');
    const after = planner.plan(state);
    assert.equal(after.translated, 1);
    const members = (appOf(planner, state, 'kubernetes', 'crd_10_1_1_2_80') as Record<string, { members?: unknown }>)['svc2_80_ns']
      ?.members;
    assert.deepEqual(members, [{ servicePort: 8080, serverAddresses: ['172.16.0.2', '172.16.0.22'], shareNodes: true }]);
    assertEqualsColdPlan(after, state);
  });

  it("re-translates only the edited VirtualServer's application", () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    planner.plan(state);
    state.upsert(
      virtualServer('ns', 'vs1', { virtualServerAddress: '10.1.1.1', snat: 'none', pools: [{ service: 'svc1', servicePort: 80 }] }),
      'VirtualServer',
    );
    const after = planner.plan(state);
    assert.equal(after.translated, 1);
    const vs = (after.tenants.get('kubernetes')?.['crd_10_1_1_1_80'] as Record<string, { snat?: string }>)['crd_10_1_1_1_80'];
    assert.equal(vs?.snat, 'none');
  });

  const nodeChange: Array<[Config['poolMemberType'], number]> = [
    ['nodeport', 3],
    ['auto', 3],
    ['cluster', 0],
    ['nodeportlocal', 0],
  ];
  for (const [mode, expected] of nodeChange) {
    it(`in ${mode} mode a Node change re-translates ${expected} application(s)`, () => {
      const state = populated();
      const planner = new Planner(config({ poolMemberType: mode }));
      planner.plan(state);
      state.upsert(node('n2', '10.0.0.2'), 'Node');
      assert.equal(planner.plan(state).translated, expected);
    });
  }

  it('drops the application and its tenant when the VirtualServer is deleted', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    planner.plan(state);
    state.remove('VirtualServer', 'ns', 'vs3');
    const after = planner.plan(state);
    assert.deepEqual([...after.tenants.keys()], ['kubernetes']);
    assert.equal(after.declaration.declaration['other'], undefined);
  });
});

describe('Planner (incremental equals cold)', () => {
  it('falls back to a full pass when more changes happened than the change journal keeps', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    planner.plan(state);
    for (let i = 0; i < 25_000; i++) state.upsert(slice('ns', 'svc1-a', 'svc1', [`172.16.${(i >> 8) & 255}.${i & 255}`]), 'EndpointSlice');
    const after = planner.plan(state);
    assert.equal(after.translated, 1, 'only svc1 changed, found by fingerprint in the full pass');
    assertEqualsColdPlan(after, state);
  });

  it('after many random endpoint changes, the incremental plan equals a cold plan', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    planner.plan(state);
    for (let i = 0; i < 30; i++) {
      const svc = 1 + (i % 3);
      state.upsert(slice('ns', `svc${svc}-a`, `svc${svc}`, [`172.16.${i}.${svc}`]), 'EndpointSlice');
      if (i % 4 === 0) planner.plan(state);
    }
    assertEqualsColdPlan(planner.plan(state), state);
  });
});

describe('Planner (node readiness changes in nodeport mode)', () => {
  it('drops a node that turns NotReady and adds it back when it recovers', () => {
    const state = populated();
    state.upsert(node('n2', '10.0.0.2'), 'Node');
    const planner = new Planner(config({ poolMemberType: 'nodeport' }));
    const addresses = (): unknown => {
      const app = planner.plan(state).tenants.get('kubernetes')?.['crd_10_1_1_1_80'] as Record<
        string,
        { members?: Array<{ serverAddresses: string[] }> }
      >;
      return app['svc1_80_ns']?.members?.[0]?.serverAddresses;
    };
    assert.deepEqual(addresses(), ['10.0.0.1', '10.0.0.2']);
    state.upsert(node('n1', '10.0.0.1', false), 'Node');
    assert.deepEqual(addresses(), ['10.0.0.2']);
    state.upsert(node('n1', '10.0.0.1', true), 'Node');
    assert.deepEqual(addresses(), ['10.0.0.1', '10.0.0.2']);
  });

  it("re-translates exactly the application that reads a changed Secret (its TLSProfile's certificate)", () => {
    const state = populated();
    state.upsert(
      cisResource('TLSProfile', 'ns', 'tls1', {
        hosts: ['shop.example.com'],
        tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop-cert' },
      }),
      'TLSProfile',
    );
    state.upsert(tlsSecret('ns', 'shop-cert', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'Secret');
    state.upsert(
      virtualServer('ns', 'vs1', {
        host: 'shop.example.com',
        virtualServerAddress: '10.1.1.1',
        tlsProfileName: 'tls1',
        pools: [{ service: 'svc1', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    assert.deepEqual(planner.plan(state).diagnostics, []);
    // Re-applying the same Secret content with a new object (as a cert rotation does) touches only
    // the HTTPS application (and its HTTP side, which reads the same TLSProfile).
    state.upsert(tlsSecret('ns', 'shop-cert', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'Secret');
    const after = planner.plan(state);
    assert.equal(after.translated, 2);
    assertEqualsColdPlan(after, state);
    state.remove('Secret', 'ns', 'shop-cert');
    const broken = planner.plan(state);
    assert.match(broken.diagnostics.map((d) => d.message).join('\n'), /Secret ns\/shop-cert was not found/);
    // Last known good: the planner saw vs1 valid, so its routes and certificate stay as they were.
    assert.deepEqual([...broken.invalid], ['VirtualServer/ns/vs1']);
    assert.deepEqual(broken.kept.get('VirtualServer/ns/vs1')?.applications, ['kubernetes/crd_10_1_1_1_443', 'kubernetes/crd_10_1_1_1_80']);
    assert.deepEqual(
      (broken.declaration.declaration['kubernetes'] as Record<string, unknown>)['crd_10_1_1_1_443'],
      (after.declaration.declaration['kubernetes'] as Record<string, unknown>)['crd_10_1_1_1_443'],
    );
    const cold = new Planner(config({ poolMemberType: 'cluster' })).plan(state);
    assert.equal(
      (cold.declaration.declaration['kubernetes'] as Record<string, unknown>)['crd_10_1_1_1_443'],
      undefined,
      'a planner that never saw it valid has nothing to keep',
    );
    // A Secret nobody reads changes nothing; the rejected resource's missing Secret coming back does.
    state.upsert(tlsSecret('ns', 'unrelated', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'Secret');
    assert.equal(planner.plan(state).translated, 0);
    state.upsert(tlsSecret('ns', 'shop-cert', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'Secret');
    const restored = planner.plan(state);
    assert.deepEqual(restored.diagnostics, []);
    assert.ok((restored.declaration.declaration['kubernetes'] as Record<string, unknown>)['crd_10_1_1_1_443']);
    assertEqualsColdPlan(restored, state);
  });

  it('a serviceAddress change reaches every application on that address, also ones of other resources', () => {
    const state = populated();
    state.upsert(
      virtualServer(
        'ns',
        'vs1',
        { virtualServerAddress: '10.1.1.1', serviceAddress: [{ icmpEcho: 'enable' }], pools: [{ service: 'svc1', servicePort: 80 }] },
        '2026-01-01T00:00:00Z',
      ),
      'VirtualServer',
    );
    state.upsert(
      transportServer(
        'ns',
        'ts1',
        { virtualServerAddress: '10.1.1.1', virtualServerPort: 22, pool: { service: 'svc1', servicePort: 80 } },
        '2026-02-01T00:00:00Z',
      ),
      'TransportServer',
    );
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    const shared = (plan: Plan): unknown =>
      (plan.declaration.declaration['kubernetes'] as Record<string, Record<string, unknown>>)['Shared']?.['crd_service_address_10_1_1_1'];
    const addressesOf = (plan: Plan): unknown =>
      (plan.declaration.declaration['kubernetes'] as Record<string, Record<string, Record<string, unknown>>>)['crd_10_1_1_1_22']?.[
        'crd_10_1_1_1_22'
      ]?.['virtualAddresses'];
    const first = planner.plan(state);
    assert.deepEqual(shared(first), { class: 'Service_Address', virtualAddress: '10.1.1.1', icmpEcho: 'enable' });
    assert.deepEqual(addressesOf(first), [{ use: '/kubernetes/Shared/crd_service_address_10_1_1_1' }]);
    state.upsert(
      virtualServer(
        'ns',
        'vs1',
        { virtualServerAddress: '10.1.1.1', pools: [{ service: 'svc1', servicePort: 80 }] },
        '2026-01-01T00:00:00Z',
      ),
      'VirtualServer',
    );
    const after = planner.plan(state);
    assert.equal(shared(after), undefined);
    assert.deepEqual(
      addressesOf(after),
      ['10.1.1.1'],
      "the TransportServer's application is re-translated although none of its inputs changed",
    );
    assertEqualsColdPlan(after, state);
  });

  it('refuses a resource whose translation fails as a whole (its other routes too), and tries it again when its Service changes', () => {
    const state = populated();
    // vs1 shares 10.1.1.1:80 with vs4, which routes to a port svc1 does not have.
    state.upsert(
      virtualServer('ns', 'vs4', {
        virtualServerAddress: '10.1.1.1',
        host: 'b.example.com',
        pools: [
          { path: '/', service: 'svc1', servicePort: 80 },
          { path: '/x', service: 'svc1', servicePort: 9090 },
        ],
      }),
      'VirtualServer',
    );
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    const refused = planner.plan(state);
    assert.deepEqual([...refused.invalid], ['VirtualServer/ns/vs4']);
    assert.match(
      refused.diagnostics.map((d) => `${d.ref.name} ${d.field ?? ''} ${d.message}`).join('\n'),
      /vs4 spec\.pools\[1\]\.servicePort 9090 is not a port of Service ns\/svc1/,
    );
    assert.deepEqual(
      refused.summary().map((r) => r.source),
      ['VirtualServer ns/vs1', 'VirtualServer ns/vs2', 'VirtualServer ns/vs3'],
      'nothing of vs4, not even its valid route',
    );
    assertEqualsColdPlan(refused, state);
    state.upsert(
      service('ns', 'svc1', {
        type: 'NodePort',
        ports: [
          { name: 'http', port: 80, targetPort: 8080, nodePort: 30001 },
          { name: 'x', port: 9090, targetPort: 9090, nodePort: 30009 },
        ],
      }),
      'Service',
    );
    const fixed = planner.plan(state);
    assert.deepEqual([...fixed.invalid], []);
    assert.ok(
      fixed.summary().some((r) => r.source === 'VirtualServer ns/vs4' && r.path === '/x'),
      'vs4 is planned once its Service has the port',
    );
    assertEqualsColdPlan(fixed, state);
  });

  it("records each application's sources and their versions in the declaration (read back for last known good)", () => {
    const state = populated();
    const app = appOf(new Planner(config({ poolMemberType: 'cluster' })), state, 'kubernetes', 'crd_10_1_1_1_80') as {
      constants?: { kubeAs3Sources?: Record<string, string> };
    };
    assert.deepEqual(Object.keys(app.constants?.kubeAs3Sources ?? {}), ['VirtualServer/ns/vs1']);
    assert.match(app.constants?.kubeAs3Sources?.['VirtualServer/ns/vs1'] ?? '', /^sha256:[0-9a-f]{12}$/);
  });

  describe('last known good in a running planner', () => {
    const shared = (name: string, host: string, pool: Record<string, unknown>): ReturnType<typeof virtualServer> =>
      virtualServer('ns', name, {
        virtualServerAddress: '10.1.1.1',
        host,
        pools: [{ path: '/', service: 'svc1', servicePort: 80, ...pool }],
      });
    const rows = (plan: Plan): string[] =>
      plan
        .summary()
        .filter((r) => r.listener === '10.1.1.1:80')
        .map((r) => `${r.host} ${r.path} ${r.source}`);
    const edits: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a field value normalization refuses', { loadBalancingMethod: 'fastest-guess' }, /is not a BIG-IP load-balancing method/],
      ['a Service port translation refuses', { servicePort: 9999 }, /9999 is not a port of Service ns\/svc1/],
    ];
    for (const [what, edit, message] of edits) {
      it(`an edit where ${what}: the resource's routes stay as they were, a resource sharing its virtual still changes; a fix or a deletion ends it`, () => {
        const state = populated();
        state.upsert(
          virtualServer('ns', 'vs1', {
            virtualServerAddress: '10.1.1.1',
            host: 'a.example.com',
            pools: [{ path: '/', service: 'svc1', servicePort: 80 }],
          }),
          'VirtualServer',
        );
        state.upsert(shared('vs5', 'b.example.com', {}), 'VirtualServer');
        const planner = new Planner(config({ poolMemberType: 'cluster' }));
        assert.deepEqual(rows(planner.plan(state)), ['a.example.com / VirtualServer ns/vs1', 'b.example.com / VirtualServer ns/vs5']);
        state.upsert(shared('vs5', 'b.example.com', edit), 'VirtualServer');
        state.upsert(
          virtualServer('ns', 'vs1', {
            virtualServerAddress: '10.1.1.1',
            host: 'a.example.com',
            pools: [
              { path: '/', service: 'svc1', servicePort: 80 },
              { path: '/new', service: 'svc2', servicePort: 80 },
            ],
          }),
          'VirtualServer',
        );
        const kept = planner.plan(state);
        assert.match(
          kept.diagnostics
            .filter((d) => d.severity === 'error')
            .map((d) => d.message)
            .join('\n'),
          message,
        );
        assert.deepEqual([...kept.invalid], ['VirtualServer/ns/vs5']);
        assert.deepEqual([...kept.kept.keys()], ['VirtualServer/ns/vs5']);
        assert.match(kept.kept.get('VirtualServer/ns/vs5')?.version ?? '', /^sha256:/);
        assert.deepEqual(rows(kept), [
          'a.example.com /new VirtualServer ns/vs1',
          'a.example.com / VirtualServer ns/vs1',
          'b.example.com / VirtualServer ns/vs5',
        ]);
        state.upsert(shared('vs5', 'c.example.com', {}), 'VirtualServer');
        const fixed = planner.plan(state);
        assert.deepEqual([...fixed.kept.keys()], []);
        assert.deepEqual(rows(fixed), [
          'a.example.com /new VirtualServer ns/vs1',
          'a.example.com / VirtualServer ns/vs1',
          'c.example.com / VirtualServer ns/vs5',
        ]);
        state.upsert(shared('vs5', 'c.example.com', edit), 'VirtualServer');
        assert.deepEqual(
          rows(planner.plan(state)).at(-1),
          'c.example.com / VirtualServer ns/vs5',
          'the fixed version is the new last good one',
        );
        state.remove('VirtualServer', 'ns', 'vs5');
        assert.deepEqual(rows(planner.plan(state)), ['a.example.com /new VirtualServer ns/vs1', 'a.example.com / VirtualServer ns/vs1']);
        state.upsert(shared('vs5', 'c.example.com', edit), 'VirtualServer');
        assert.deepEqual(rows(planner.plan(state)).length, 2, 'a deleted resource created again invalid has no last good version');
      });
    }
  });

  describe('last known good for every kind', () => {
    const lb = (protocol: string): KubeObject =>
      service('ns', 'dns', { type: 'LoadBalancer', ports: [{ name: 'dns', protocol, port: 53, targetPort: 5353, nodePort: 30053 }] });
    const withIp = (obj: KubeObject): KubeObject => ({
      ...obj,
      metadata: { ...obj.metadata, annotations: { 'cis.f5.com/ip': '10.2.2.2' } },
    });
    const ingress = (balance: string): KubeObject =>
      ({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          namespace: 'ns',
          name: 'web',
          annotations: { 'virtual-server.f5.com/ip': '10.3.3.3', 'virtual-server.f5.com/http-port': balance },
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
        spec: {
          ingressClassName: 'f5',
          rules: [
            {
              host: 'web.example.com',
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 80 } } } }] },
            },
          ],
        },
      }) as KubeObject;
    const cases: Array<{ kind: string; valid: KubeObject; invalid: KubeObject; key: string; app: string }> = [
      { kind: 'Service', valid: withIp(lb('UDP')), invalid: withIp(lb('QUIC')), key: 'Service/ns/dns', app: 'lb_10_2_2_2_53_udp' },
      { kind: 'Ingress', valid: ingress('80'), invalid: ingress('eighty'), key: 'Ingress/ns/web', app: 'ingress_10_3_3_3_80' },
    ];
    for (const c of cases) {
      it(`a ${c.kind} whose edit is refused keeps its last good version`, () => {
        const state = populated();
        state.upsert(
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'IngressClass',
            metadata: { name: 'f5' },
            spec: { controller: 'f5.com/cntr-ingress-svcs' },
          } as KubeObject,
          'IngressClass',
        );
        state.upsert(c.valid, c.kind as 'Service');
        const planner = new Planner(config({ poolMemberType: 'nodeport' }));
        const before = planner.plan(state);
        const app = JSON.stringify((before.declaration.declaration['kubernetes'] as Record<string, unknown>)[c.app]);
        assert.ok(app, `${c.app} planned; have ${Object.keys(before.declaration.declaration['kubernetes'] as object).join()}`);
        state.upsert(c.invalid, c.kind as 'Service');
        const kept = planner.plan(state);
        assert.ok(
          kept.diagnostics.some((d) => d.severity === 'error' && `${d.ref.kind}/${d.ref.namespace}/${d.ref.name}` === c.key),
          JSON.stringify(kept.diagnostics),
        );
        assert.deepEqual([...kept.kept.keys()], [c.key]);
        assert.equal(JSON.stringify((kept.declaration.declaration['kubernetes'] as Record<string, unknown>)[c.app]), app);
      });
    }
  });

  it('an address a kept resource still serves is not released by IPAM, even when its invalid edit asks for another key', () => {
    const state = populated();
    const planner = new Planner(config({ poolMemberType: 'cluster', ipam: { ranges: { prod: ['10.9.0.10-10.9.0.20'] } } }));
    state.upsert(
      virtualServer('ns', 'ip', { host: 'a.example.com', ipamLabel: 'prod', pools: [{ service: 'svc1', servicePort: 80 }] }),
      'VirtualServer',
    );
    assert.equal(planner.plan(state).ipam?.state.allocations['ns/a.example.com_host']?.address, '10.9.0.10');
    state.upsert(
      virtualServer('ns', 'ip', {
        host: 'b.example.com',
        ipamLabel: 'prod',
        pools: [{ service: 'svc1', servicePort: 80, loadBalancingMethod: 'fastest-guess' }],
      }),
      'VirtualServer',
    );
    const kept = planner.plan(state);
    assert.deepEqual(kept.kept.get('VirtualServer/ns/ip')?.addresses, ['10.9.0.10'], 'the last good version is planned on its address');
    assert.equal(kept.ipam?.state.releasing['ns/a.example.com_host']?.address, '10.9.0.10', 'the old key is no longer asked for');
    const after = planner.releaseUnusedAddresses(new Set(kept.kept.get('VirtualServer/ns/ip')?.addresses));
    assert.equal(after.releasing['ns/a.example.com_host']?.address, '10.9.0.10', 'still taken while the kept version serves it');
    assert.equal(planner.releaseUnusedAddresses().releasing['ns/a.example.com_host'], undefined, 'freed once nothing serves it');
  });

  it('a planner without memory plans an invalid resource from the version the BIG-IP recorded, when that version is still valid', () => {
    const state = populated();
    const b = (pool: Record<string, unknown>): ReturnType<typeof virtualServer> =>
      virtualServer('ns', 'b', {
        virtualServerAddress: '10.1.1.1',
        host: 'b.example.com',
        pools: [{ path: '/', service: 'svc1', servicePort: 80, ...pool }],
      });
    state.upsert(
      virtualServer('ns', 'vs1', {
        virtualServerAddress: '10.1.1.1',
        host: 'a.example.com',
        pools: [{ path: '/', service: 'svc1', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    const recordedVersion = b({});
    state.upsert(recordedVersion, 'VirtualServer');
    const app = (
      new Planner(config({ poolMemberType: 'cluster' })).plan(state).declaration.declaration['kubernetes'] as Record<
        string,
        { constants: { kubeAs3Objects: Record<string, unknown> } }
      >
    )['crd_10_1_1_1_80'];
    const recorded = new Map(Object.entries(app?.constants.kubeAs3Objects ?? {})) as Map<string, KubeObject>;
    assert.deepEqual([...recorded.keys()], ['VirtualServer/ns/b', 'VirtualServer/ns/vs1'], 'a shared application records its resources');

    state.upsert(b({ loadBalancingMethod: 'fastest-guess' }), 'VirtualServer');
    const planner = new Planner(config({ poolMemberType: 'cluster' }));
    const before = planner.plan(state);
    assert.deepEqual([...before.kept.keys()], [], 'no memory: nothing kept by the plan');
    assert.equal(planner.seedLastGood(recorded), true);
    assert.equal(planner.seedLastGood(recorded), false, 'the same versions again: nothing new, no need to plan again');
    const after = planner.plan(state);
    assert.deepEqual([...after.kept.keys()], ['VirtualServer/ns/b']);
    assert.deepEqual(
      after
        .summary()
        .filter((r) => r.listener === '10.1.1.1:80')
        .map((r) => `${r.host} ${r.source}`),
      ['a.example.com VirtualServer ns/vs1', 'b.example.com VirtualServer ns/b'],
    );

    // A recorded version that is no longer valid itself (its Service lost the port) is not used.
    const broken = new Planner(config({ poolMemberType: 'cluster' }));
    state.upsert(
      service('ns', 'svc1', { type: 'NodePort', ports: [{ name: 'http', port: 8080, targetPort: 8080, nodePort: 30001 }] }),
      'Service',
    );
    broken.seedLastGood(recorded);
    assert.deepEqual([...broken.plan(state).kept.keys()], []);
  });
});
