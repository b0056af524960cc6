import assert from 'node:assert/strict';
import { refOf } from '../kube/refs.js';
import type { KubeObject, Policy } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { VirtualClaim } from '../model/virtual.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import { cisResource, contextFor, transportServer } from '../../test/support/fixtures.js';
import { normalizeTransportServer } from './transport-server.js';

const BASE = { virtualServerAddress: '10.1.1.5', virtualServerPort: 5432, pool: { service: 'db', servicePort: 5432 } };

/** A Policy of another namespace, which `policyNamespace` names. */
const PLATFORM_POLICY = cisResource<Policy>('Policy', 'platform', 'shared-l4', { profiles: { requestLogProfile: '/Common/request-log' } });

function normalize(
  spec: Record<string, unknown>,
  objects: KubeObject[] = [PLATFORM_POLICY],
): { claim: VirtualClaim | undefined; diagnostics: Diagnostic[] } {
  const ts = transportServer('prod', 'db', { ...BASE, ...spec });
  const { claims, diagnostics } = normalizeTransportServer(ts, refOf(ts), contextFor(objects));
  assert.ok(claims.length <= 1);
  return { claim: claims[0], diagnostics };
}

function policy(spec: unknown): Policy {
  return cisResource<Policy>('Policy', 'prod', 'l4', spec);
}

function pool(extra: Record<string, unknown>): Record<string, unknown> {
  return { pool: { ...BASE.pool, ...extra } };
}

describe('normalizeTransportServer', () => {
  it('gives a standard TCP virtual with SNAT auto by default', () => {
    const { claim, diagnostics } = normalize({});
    assert.deepEqual(diagnostics, []);
    assert.equal(claim?.type, 'tcp');
    assert.equal(claim?.l4Mode, 'standard');
    assert.equal(claim?.snat, 'auto');
    assert.deepEqual(claim?.settings, {});
    assert.deepEqual(
      claim?.routes.map((r) => [r.path, r.backend, r.field]),
      [['/', { namespace: 'prod', service: 'db', servicePort: 5432 }, 'spec.pool']],
    );
  });

  const good: Array<[string, Record<string, unknown>, (c: VirtualClaim) => unknown, unknown]> = [
    [
      'iRules (none skipped)',
      { iRules: ['/Common/proxy_protocol', 'none'] },
      (c) => c.settings.iRules,
      [{ bigip: '/Common/proxy_protocol' }],
    ],
    ['persistenceProfile', { persistenceProfile: 'source-address' }, (c) => c.settings.persistenceMethods, ['source-address']],
    ['persistenceProfile none', { persistenceProfile: 'none' }, (c) => c.settings.persistenceMethods, []],
    [
      'profileL4 in performance mode',
      { mode: 'performance', profileL4: '/Common/fastL4-custom' },
      (c) => [c.l4Mode, c.settings.profileL4],
      ['performance', { bigip: '/Common/fastL4-custom' }],
    ],
    [
      'profiles.tcp client and server',
      { profiles: { tcp: { client: '/Common/f5-tcp-lan', server: '/Common/f5-tcp-wan' } } },
      (c) => c.settings.profileTCP,
      { ingress: { bigip: '/Common/f5-tcp-lan' }, egress: { bigip: '/Common/f5-tcp-wan' } },
    ],
    [
      'profiles.tcp client only',
      { profiles: { tcp: { client: '/Common/f5-tcp-lan' } } },
      (c) => c.settings.profileTCP,
      { bigip: '/Common/f5-tcp-lan' },
    ],
    ['allowVlans', { allowVlans: ['/Common/external'] }, (c) => c.settings.allowVlans, [{ bigip: '/Common/external' }]],
    ['connectionMirroring', { connectionMirroring: 'L4' }, (c) => c.settings.mirroring, 'L4'],
    [
      'serviceAddress',
      {
        serviceAddress: [
          {
            arpEnabled: false,
            icmpEcho: 'selective',
            routeAdvertisement: 'all',
            spanningEnabled: true,
            trafficGroup: '/Common/traffic-group-1',
          },
        ],
      },
      (c) => c.serviceAddress,
      {
        arpEnabled: false,
        spanningEnabled: true,
        icmpEcho: 'selective',
        routeAdvertisement: 'all',
        trafficGroup: '/Common/traffic-group-1',
      },
    ],
    ['type udp', { type: 'udp' }, (c) => [c.type, c.l4Mode], ['udp', 'standard']],
    ['type sctp', { type: 'sctp' }, (c) => [c.type, c.l4Mode], ['sctp', 'standard']],
    ['type sctp in performance mode', { type: 'sctp', mode: 'performance' }, (c) => [c.type, c.l4Mode], ['sctp', 'performance']],
    ['hostGroup', { hostGroup: 'databases' }, (c) => c.hostGroup, 'databases'],
    [
      'profileAnalyticsTcp and profiles.profileProtocolInspection',
      { profileAnalyticsTcp: '/Common/tcp-analytics', profiles: { profileProtocolInspection: '/Common/inspect' } },
      (c) => c.settings,
      { profileAnalyticsTcp: { bigip: '/Common/tcp-analytics' }, profileProtocolInspection: { bigip: '/Common/inspect' } },
    ],
    [
      'a Policy of another namespace (policyNamespace)',
      { policyName: 'shared-l4', policyNamespace: 'platform' },
      (c) => c.settings.profileTrafficLog,
      { bigip: '/Common/request-log' },
    ],
    ['bigipRouteDomain', { bigipRouteDomain: 2 }, (c) => c.address, '10.1.1.5%2'],
    ['virtualServerName', { virtualServerName: 'postgres' }, (c) => c.virtualName, 'postgres'],
    ['a SNAT pool', { snat: '/Common/snatpool' }, (c) => c.snat, { bigip: '/Common/snatpool' }],
    [
      'pool settings',
      pool({ loadBalancingMethod: 'least-connections-member', reselectTries: 2, serviceDownAction: 'reset' }),
      (c) => c.routes[0]?.pool,
      { loadBalancingMode: 'least-connections-member', reselectTries: 2, serviceDownAction: 'reset' },
    ],
    ['a pool name', pool({ name: 'pg_primary' }), (c) => c.routes[0]?.poolName, 'pg_primary'],
    [
      'static pool members',
      pool({
        staticPoolMembers: [
          { address: '192.0.2.20', port: 5432 },
          { address: '192.0.2.10', port: 5432 },
        ],
      }),
      (c) => c.routes[0]?.backend.staticMembers,
      [
        { address: '192.0.2.10', port: 5432 },
        { address: '192.0.2.20', port: 5432 },
      ],
    ],
    [
      'alternate backends with weights',
      pool({
        weight: 80,
        alternateBackends: [
          { service: 'db-canary', weight: 20 },
          { service: 'db-next', serviceNamespace: 'next' },
        ],
      }),
      (c) => [c.routes[0]?.weight, c.routes[0]?.alternates],
      [
        80,
        [
          { backend: { namespace: 'prod', service: 'db-canary', servicePort: 5432 }, weight: 20, field: 'spec.pool.alternateBackends[0]' },
          { backend: { namespace: 'next', service: 'db-next', servicePort: 5432 }, weight: 100, field: 'spec.pool.alternateBackends[1]' },
        ],
      ],
    ],
    [
      'alternate backends with the default weight',
      pool({ alternateBackends: [{ service: 'db-canary', weight: 0 }] }),
      (c) => c.routes[0]?.weight,
      100,
    ],
    [
      'udp monitors by default on UDP',
      { type: 'udp', pool: { ...BASE.pool, monitor: { interval: 5 } } },
      (c) => c.routes[0]?.monitors,
      [{ type: 'udp', interval: 5 }],
    ],
    [
      'typed monitors on SCTP',
      { type: 'sctp', pool: { ...BASE.pool, monitors: [{ type: 'tcp' }, { name: '/Common/sctp', reference: 'bigip' }] } },
      (c) => c.routes[0]?.monitors,
      [{ type: 'tcp' }, { bigip: '/Common/sctp' }],
    ],
    [
      'TLS from BIG-IP profiles',
      { tls: { clientSSLs: ['/Common/clientssl'], serverSSLs: ['/Common/serverssl'], reference: 'bigip' } },
      (c) => [c.tls?.termination, c.tls?.clientSide, c.tls?.serverSide],
      ['reencrypt', { profiles: [{ bigip: '/Common/clientssl' }] }, { profiles: [{ bigip: '/Common/serverssl' }] }],
    ],
  ];
  for (const [what, spec, get, expected] of good) {
    it(`translates ${what}`, () => {
      const { claim, diagnostics } = normalize(spec);
      assert.deepEqual(diagnostics, []);
      assert.ok(claim);
      assert.deepEqual(get(claim), expected);
    });
  }

  describe('a serviceAddress with every field', () => {
    const { claim, diagnostics } = normalize({
      serviceAddress: [
        {
          arpEnabled: false,
          icmpEcho: 'disable',
          routeAdvertisement: 'selective',
          spanningEnabled: true,
          trafficGroup: '/Common/traffic-group-1',
        },
      ],
    });

    it('becomes the Service_Address properties of the same names', () => {
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(claim?.serviceAddress, {
        arpEnabled: false,
        spanningEnabled: true,
        icmpEcho: 'disable',
        routeAdvertisement: 'selective',
        trafficGroup: '/Common/traffic-group-1',
      });
    });

    it('is a Service_Address the official AS3 schema accepts', function () {
      assertOfficialApplicationValid(this, { addr: { class: 'Service_Address', virtualAddress: '10.1.1.5', ...claim?.serviceAddress } });
    });
  });

  const warnings: Array<[string, Record<string, unknown>, string, RegExp, (c: VirtualClaim) => unknown, unknown]> = [
    [
      'host',
      { host: 'db.example.com' },
      'spec.host',
      /only used for ExternalDNS, which kube-as3 does not support yet/,
      (c) => c.type,
      'tcp',
    ],
    [
      'profileL4 in standard mode',
      { profileL4: '/Common/fastL4' },
      'spec.profileL4',
      /profileL4 only applies to mode: performance/,
      (c) => c.settings,
      {},
    ],
    ['dos', { dos: '/Common/dos' }, 'spec.dos', /AS3 has no DoS or Bot Defense profile on L4 virtuals/, (c) => c.settings, {}],
    [
      'botDefense',
      { botDefense: '/Common/bot' },
      'spec.botDefense',
      /AS3 has no DoS or Bot Defense profile on L4 virtuals/,
      (c) => c.settings,
      {},
    ],
    [
      'profiles.tcp on UDP',
      { type: 'udp', profiles: { tcp: { client: '/Common/tcp' } } },
      'spec.profiles.tcp',
      /a udp virtual in mode standard \(AS3 Service_UDP\) has no profileTCP/,
      (c) => c.settings,
      {},
    ],
    [
      'profiles.tcp in performance mode',
      { mode: 'performance', profiles: { tcp: { client: '/Common/tcp' } } },
      'spec.profiles.tcp',
      /\(AS3 Service_L4\) has no profileTCP/,
      (c) => c.settings,
      {},
    ],
    [
      'a weight without alternateBackends',
      pool({ weight: 50 }),
      'spec.pool.weight',
      /only matters together with alternateBackends/,
      (c) => c.routes[0]?.weight,
      undefined,
    ],
    [
      'a pool name with alternateBackends',
      pool({ name: 'pg', alternateBackends: [{ service: 'db2' }] }),
      'spec.pool.name',
      /with alternateBackends the pool holds every backend/,
      (c) => c.routes[0]?.poolName,
      undefined,
    ],
    ['an HTTP path on the pool', pool({ path: '/api' }), 'spec.pool.path', /does not route HTTP requests/, (c) => c.routes[0]?.path, '/'],
    [
      'a malformed rewrite on the pool (not even read)',
      pool({ rewrite: 'no slash' }),
      'spec.pool.rewrite',
      /does not route HTTP requests/,
      (c) => c.routes[0]?.rewrite,
      undefined,
    ],
    [
      'a WAF policy on the pool',
      pool({ waf: '/Common/waf' }),
      'spec.pool.waf',
      /does not route HTTP requests/,
      (c) => c.routes[0]?.waf,
      undefined,
    ],
    [
      'multiClusterServices',
      pool({ multiClusterServices: [{ clusterName: 'b', service: 'db', namespace: 'prod' }] }),
      'spec.pool.multiClusterServices',
      /ignored: no cluster set is configured/,
      (c) => c.routes.length,
      1,
    ],
    [
      'policyNamespace without policyName',
      { policyNamespace: 'shared' },
      'spec.policyNamespace',
      /^ignored: spec\.policyName is not set; name the Policy there, or remove policyNamespace$/,
      (c) => c.settings,
      {},
    ],
  ];
  for (const [what, spec, field, message, get, expected] of warnings) {
    it(`warns about ${what} and still publishes the virtual`, () => {
      const { claim, diagnostics } = normalize(spec);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      assert.equal(diagnostics[0]?.severity, 'warning');
      assert.equal(diagnostics[0]?.field, field);
      assert.match(diagnostics[0]?.message ?? '', message);
      assert.ok(claim);
      assert.deepEqual(get(claim), expected);
    });
  }

  const errors: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['partition Common', { partition: 'Common' }, 'spec.partition', /the Common partition is reserved/],
    [
      'a relative iRule',
      { iRules: ['proxy_protocol'] },
      'spec.iRules[0]',
      /"proxy_protocol" must be the full path of an existing BIG-IP object/,
    ],
    ['an unknown persistence', { persistenceProfile: 'sticky' }, 'spec.persistenceProfile', /"sticky" must be none, one of cookie/],
    ['a relative profileL4', { mode: 'performance', profileL4: 'fastL4' }, 'spec.profileL4', /"fastL4" must be the full path/],
    [
      'a server-only TCP profile',
      { profiles: { tcp: { server: '/Common/f5-tcp-wan' } } },
      'spec.profiles.tcp.client',
      /is required when server is set/,
    ],
    ['a relative VLAN', { allowVlans: ['external'] }, 'spec.allowVlans[0]', /"external" must be the full path/],
    ['an unknown connectionMirroring', { connectionMirroring: 'L7' }, 'spec.connectionMirroring', /"L7" must be none or L4/],
    ['two serviceAddress entries', { serviceAddress: [{}, {}] }, 'spec.serviceAddress', /at most one entry/],
    [
      'an unknown icmpEcho',
      { serviceAddress: [{ icmpEcho: 'sometimes' }] },
      'spec.serviceAddress[0].icmpEcho',
      /"sometimes" must be one of enable, disable, selective/,
    ],
    [
      'an unknown routeAdvertisement',
      { serviceAddress: [{ routeAdvertisement: 'never' }] },
      'spec.serviceAddress[0].routeAdvertisement',
      /"never" must be one of/,
    ],
    ['an unknown type', { type: 'quic' }, 'spec.type', /"quic" must be tcp or udp or sctp/],
    ['an unknown mode', { mode: 'turbo' }, 'spec.mode', /"turbo" must be standard or performance/],
    [
      'TLS on SCTP',
      { type: 'sctp', tls: { clientSSLs: ['/Common/clientssl'], reference: 'bigip' } },
      'spec.tls',
      /TLS needs mode: standard and type tcp or udp \(AS3 Service_SCTP has no TLS\)/,
    ],
    [
      'TLS in performance mode',
      { mode: 'performance', tls: { clientSSLs: ['/Common/clientssl'], reference: 'bigip' } },
      'spec.tls',
      /\(AS3 Service_L4 has no TLS\)/,
    ],
    ['a TLS Secret that does not exist', { tls: { clientSSLs: ['db-cert'], reference: 'secret' } }, 'spec.tls.clientSSLs[0]', /db-cert/],
    ['a bad hostGroup', { hostGroup: '1st group' }, 'spec.hostGroup', /must start with a letter/],
    ['a missing Policy', { policyName: 'gone' }, 'spec.policyName', /^Policy prod\/gone was not found/],
    [
      'an unknown load-balancing method',
      pool({ loadBalancingMethod: 'fastest' }),
      'spec.pool.loadBalancingMethod',
      /"fastest" is not a BIG-IP load-balancing method/,
    ],
    [
      'an unknown serviceDownAction',
      pool({ serviceDownAction: 'retry' }),
      'spec.pool.serviceDownAction',
      /"retry" must be one of none, reset, drop, reselect/,
    ],
    ['negative reselectTries', pool({ reselectTries: -1 }), 'spec.pool.reselectTries', /-1 must be a whole number from 0 to 65535/],
    [
      'a weight above 100',
      pool({ weight: 101, alternateBackends: [{ service: 'db2' }] }),
      'spec.pool.weight',
      /101 must be a whole number from 0 to 100/,
    ],
    [
      'an alternate weight above 100',
      pool({ alternateBackends: [{ service: 'db2', weight: 256 }] }),
      'spec.pool.alternateBackends[0].weight',
      /256 must be a whole number from 0 to 100/,
    ],
    [
      'an alternate without a service',
      pool({ alternateBackends: [{ weight: 10 }] }),
      'spec.pool.alternateBackends[0].service',
      /is required/,
    ],
    [
      'all weights zero',
      pool({ weight: 0, alternateBackends: [{ service: 'db2', weight: 0 }] }),
      'spec.pool.weight',
      /^every backend has weight 0, so no request or connection could be served/,
    ],
    ['a bad pool name', pool({ name: '9lives' }), 'spec.pool.name', /"9lives" must start with a letter/],
    [
      'an untyped monitor on SCTP',
      { type: 'sctp', pool: { ...BASE.pool, monitor: { interval: 5 } } },
      'spec.pool.monitor.type',
      /^is required for an SCTP pool \(AS3 has no SCTP monitor\): use tcp, udp, http or https/,
    ],
    [
      'an untyped entry of monitors on SCTP',
      { type: 'sctp', pool: { ...BASE.pool, monitors: [{ type: 'tcp' }, { interval: 5 }] } },
      'spec.pool.monitors[1].type',
      /^is required for an SCTP pool/,
    ],
    ['no pool', { pool: undefined }, 'spec.pool', /is required/],
  ];
  for (const [what, spec, field, message] of errors) {
    it(`rejects ${what} at ${field}`, () => {
      const { claim, diagnostics } = normalize(spec);
      assert.equal(claim, undefined);
      const errs = diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errs.length, 1, JSON.stringify(diagnostics));
      assert.equal(errs[0]?.field, field);
      assert.match(errs[0]?.message ?? '', message);
    });
  }

  describe('with a Policy', () => {
    const spec = {
      l3Policies: { firewallPolicy: '/Common/afm', dos: '/Common/dos', allowVlans: ['/Common/internal'] },
      profiles: {
        tcp: { client: '/Common/policy-tcp' },
        udp: '/Common/policy-udp',
        persistenceProfile: 'destination-address',
        profileL4: '/Common/policy-l4',
      },
      iRules: { insecure: '/Common/policy-rule', priority: 'high' },
      snat: 'self',
      poolSettings: { reselectTries: 5, slowRampTime: 60, serviceDownAction: 'drop' },
    };

    it("applies the Policy's settings, with the TransportServer's own winning", () => {
      const { claim, diagnostics } = normalize({ policyName: 'l4', persistenceProfile: 'source-address', iRules: ['/Common/own-rule'] }, [
        policy(spec),
      ]);
      assert.deepEqual(claim?.settings, {
        policyFirewallEnforced: { bigip: '/Common/afm' },
        allowVlans: [{ bigip: '/Common/internal' }],
        profileTCP: { bigip: '/Common/policy-tcp' },
        persistenceMethods: ['source-address'],
        iRules: [{ bigip: '/Common/policy-rule' }, { bigip: '/Common/own-rule' }],
      });
      assert.deepEqual(diagnostics.map((d) => [d.severity, d.field, d.message]).sort(), [
        [
          'warning',
          'spec.policyName',
          'ignored: spec.l3Policies.dos of the Policy does not apply to a TransportServer; nothing to change if the Policy is meant for VirtualServers too, else remove it from the Policy',
        ],
        [
          'warning',
          'spec.policyName',
          'ignored: spec.profiles.profileL4 of the Policy: profileL4 only applies to mode: performance, not to a tcp virtual in mode standard (AS3 Service_TCP); nothing to change if the Policy serves other virtuals too, else remove it from the Policy',
        ],
        [
          'warning',
          'spec.policyName',
          'ignored: spec.profiles.udp of the Policy: a tcp virtual in mode standard (AS3 Service_TCP) has no profileUDP; nothing to change if the Policy serves other virtuals too, else remove it from the Policy',
        ],
      ]);
    });

    it("uses the Policy's SNAT only when the TransportServer sets none", () => {
      assert.equal(normalize({ policyName: 'l4' }, [policy(spec)]).claim?.snat, 'self');
      assert.equal(normalize({ policyName: 'l4', snat: 'none' }, [policy(spec)]).claim?.snat, 'none');
    });

    it("puts the Policy's pool settings under the pool's own", () => {
      const { claim } = normalize({ policyName: 'l4', ...pool({ serviceDownAction: 'reset' }) }, [policy(spec)]);
      assert.deepEqual(claim?.routes[0]?.pool, { reselectTries: 5, slowRampTime: 60, serviceDownAction: 'reset' });
    });

    it('takes the Policy profileL4 in performance mode and its UDP profile on UDP', () => {
      assert.deepEqual(normalize({ policyName: 'l4', mode: 'performance' }, [policy(spec)]).claim?.settings.profileL4, {
        bigip: '/Common/policy-l4',
      });
      assert.deepEqual(normalize({ policyName: 'l4', type: 'udp' }, [policy(spec)]).claim?.settings.profileUDP, {
        bigip: '/Common/policy-udp',
      });
    });

    it("reports the Policy's iRules.secure as ignored (an L4 virtual takes the insecure ones), unless they come from iRuleList", () => {
      const secure = normalize({ policyName: 'l4' }, [policy({ iRules: { secure: '/Common/sec', insecure: '/Common/insec' } })]);
      assert.deepEqual(secure.claim?.settings.iRules, [{ bigip: '/Common/insec' }]);
      assert.deepEqual(
        secure.diagnostics.map((d) => [d.severity, d.field, d.message]),
        [
          [
            'warning',
            'spec.policyName',
            'ignored: spec.iRules.secure of the Policy does not apply to a TransportServer; nothing to change if the Policy is meant for VirtualServers too, else remove it from the Policy',
          ],
        ],
      );
      const list = normalize({ policyName: 'l4' }, [policy({ iRuleList: ['/Common/x'] })]);
      assert.deepEqual(list.diagnostics, []);
      assert.deepEqual(list.claim?.settings.iRules, [{ bigip: '/Common/x' }]);
    });

    it("reports the Policy's WAF and Bot Defense, which no AS3 L4 virtual has, as not applying", () => {
      const { claim, diagnostics } = normalize({ policyName: 'l4' }, [
        policy({ l7Policies: { waf: '/Common/waf' }, l3Policies: { botDefense: '/Common/bot' } }),
      ]);
      assert.deepEqual(claim?.settings, {});
      assert.deepEqual(diagnostics.map((d) => [d.field, d.message]).sort(), [
        [
          'spec.policyName',
          'ignored: spec.l3Policies.botDefense of the Policy does not apply to a TransportServer; nothing to change if the Policy is meant for VirtualServers too, else remove it from the Policy',
        ],
        [
          'spec.policyName',
          'ignored: spec.l7Policies.waf of the Policy does not apply to a TransportServer; nothing to change if the Policy is meant for VirtualServers too, else remove it from the Policy',
        ],
      ]);
    });

    it('rejects the TransportServer when its Policy sets ltmPolicies', () => {
      const { claim, diagnostics } = normalize({ policyName: 'l4' }, [policy({ ltmPolicies: { insecure: '/Common/ltm' } })]);
      assert.equal(claim, undefined);
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.field]),
        [['error', 'spec.policyName']],
      );
      assert.match(diagnostics[0]?.message ?? '', /^Policy prod\/l4 spec\.ltmPolicies: LTM policies are not supported/);
    });
  });
});
