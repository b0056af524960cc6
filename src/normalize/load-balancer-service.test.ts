import assert from 'node:assert/strict';
import type { Config } from '../config/config.js';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import type { KubeObject, Policy, Service } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { VirtualClaim } from '../model/virtual.js';
import { cisResource, contextFor, service } from '../../test/support/fixtures.js';
import { annotationField } from './fields.js';
import { normalizeLoadBalancerService } from './load-balancer-service.js';

function lbService(annotations: Record<string, string>, spec: Service['spec'] = {}): Service {
  const svc = service('prod', 'dns', {
    type: 'LoadBalancer',
    ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }],
    ...spec,
  });
  return { ...svc, metadata: { ...svc.metadata, annotations } };
}

function normalize(
  svc: Service,
  objects: KubeObject[] = [],
  config: Config = defaultConfig(),
): { claims: VirtualClaim[]; diagnostics: Diagnostic[] } {
  return normalizeLoadBalancerService(svc, refOf(svc), contextFor(objects, config));
}

function configWith(change: Partial<Config>): Config {
  return { ...defaultConfig(), ...change };
}

const IP = { 'cis.f5.com/ip': '10.2.2.2' };

describe('normalizeLoadBalancerService', () => {
  it('gives one L4 virtual per Service port, typed by the port protocol, with the Service as pool', () => {
    const svc = lbService(IP, {
      ports: [
        { name: 'dns-udp', protocol: 'UDP', port: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53 },
        { name: 'sig', protocol: 'SCTP', port: 2905 },
        { name: 'x', port: 8080 },
      ],
    });
    const { claims, diagnostics } = normalize(svc);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      claims.map((c) => [c.type, c.l4Mode, c.address, c.port, c.partition, c.snat, c.virtualName]),
      [
        ['udp', 'standard', '10.2.2.2', 53, 'kubernetes', 'auto', 'vs_lb_svc_prod_dns'],
        ['tcp', 'standard', '10.2.2.2', 53, 'kubernetes', 'auto', 'vs_lb_svc_prod_dns'],
        ['sctp', 'standard', '10.2.2.2', 2905, 'kubernetes', 'auto', 'vs_lb_svc_prod_dns'],
        ['tcp', 'standard', '10.2.2.2', 8080, 'kubernetes', 'auto', 'vs_lb_svc_prod_dns'],
      ],
    );
    assert.deepEqual(claims[3]?.routes, [
      {
        path: '/',
        backend: { namespace: 'prod', service: 'dns', servicePort: 8080 },
        monitors: [],
        field: 'spec.ports[3]',
        source: refOf(svc),
      },
    ]);
    assert.equal(claims[0]?.object, svc);
    assert.deepEqual(
      claims.map((c) => c.routes[0]?.backend.servicePort),
      ['dns-udp', 'dns-tcp', 2905, 8080],
      'a port number shared by two ports is named',
    );
  });

  it('uses the partition annotation', () => {
    const { claims } = normalize(lbService({ ...IP, 'cis.f5.com/partition': 'dns' }));
    assert.equal(claims[0]?.partition, 'dns');
  });

  it('reads the health annotation, typing entries by each port protocol', () => {
    const svc = lbService(
      { ...IP, 'cis.f5.com/health': '{"interval": 5, "timeout": 16}' },
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    );
    const { claims, diagnostics } = normalize(svc);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      claims.map((c) => c.routes[0]?.monitors),
      [[{ type: 'udp', interval: 5, timeout: 16 }], [{ type: 'tcp', interval: 5, timeout: 16 }]],
    );
  });

  describe('loadBalancerClass', () => {
    const cases: Array<[string, string | undefined, Partial<Config>, boolean]> = [
      ['a class-less Service by default', undefined, {}, true],
      ['a class-less Service with manageLoadBalancerClassOnly', undefined, { manageLoadBalancerClassOnly: true }, false],
      ['a Service of the configured class', 'f5.com/bigip', { loadBalancerClass: 'f5.com/bigip' }, true],
      [
        'a Service of the configured class with manageLoadBalancerClassOnly',
        'f5.com/bigip',
        { loadBalancerClass: 'f5.com/bigip', manageLoadBalancerClassOnly: true },
        true,
      ],
      ['a Service of another class', 'metallb.io/metallb', { loadBalancerClass: 'f5.com/bigip' }, false],
      ['a Service with a class when none is configured', 'metallb.io/metallb', {}, false],
    ];
    for (const [what, cls, config, served] of cases) {
      it(`${served ? 'serves' : 'silently skips'} ${what}`, () => {
        const { claims, diagnostics } = normalize(lbService(IP, cls ? { loadBalancerClass: cls } : {}), [], configWith(config));
        assert.equal(claims.length, served ? 1 : 0);
        assert.deepEqual(diagnostics, []);
      });
    }
  });

  it('silently skips Services that are not LoadBalancers, whatever their annotations', () => {
    for (const type of ['ClusterIP', 'NodePort', undefined]) {
      const svc = lbService({ 'cis.f5.com/ipamLabel': 'x' }, { type });
      assert.deepEqual(normalize(svc), { claims: [], diagnostics: [] });
    }
  });

  it("silently leaves alone a LoadBalancer Service without cis.f5.com annotations (a backend, or another load balancer's)", () => {
    assert.deepEqual(normalize(lbService({ 'metallb.universe.tf/address-pool': 'public' })), { claims: [], diagnostics: [] });
    assert.deepEqual(normalize(lbService({})), { claims: [], diagnostics: [] });
  });

  const errors: Array<[string, Service, string, RegExp]> = [
    [
      'no address annotation on a Service with other cis.f5.com annotations',
      lbService({ 'cis.f5.com/partition': 'dns' }),
      'metadata.annotations["cis.f5.com/ip"]',
      /needs the annotation cis\.f5\.com\/ip \(its virtual address\) or cis\.f5\.com\/ipamLabel/,
    ],
    [
      'an IPAM label without an address',
      lbService({ 'cis.f5.com/ipamLabel': 'prod' }),
      annotationField('cis.f5.com/ipamLabel'),
      /^IPAM is not configured: add the label "prod" with its address ranges under ipam.ranges in the config file, or set the address$/,
    ],
    [
      'a bad address',
      lbService({ 'cis.f5.com/ip': '10.2.2' }),
      annotationField('cis.f5.com/ip'),
      /"10\.2\.2" is not an IPv4 or IPv6 address/,
    ],
    [
      'partition Common',
      lbService({ ...IP, 'cis.f5.com/partition': 'Common' }),
      annotationField('cis.f5.com/partition'),
      /the Common partition is reserved/,
    ],
    [
      'bad health JSON',
      lbService({ ...IP, 'cis.f5.com/health': '{"type": "udp",}' }),
      annotationField('cis.f5.com/health'),
      /^is not valid JSON: unexpected "}" at line 1, column 16 \(position 15\)/,
    ],
    [
      'a bad health monitor',
      lbService({ ...IP, 'cis.f5.com/health': '[{"type": "icmp"}]' }),
      annotationField('cis.f5.com/health'),
      /^\[0\]\.type: "icmp" must be one of/,
    ],
    [
      'an untyped health monitor on SCTP',
      lbService({ ...IP, 'cis.f5.com/health': '{"interval": 5}' }, { ports: [{ protocol: 'SCTP', port: 2905 }] }),
      annotationField('cis.f5.com/health'),
      /type: is required for an SCTP pool/,
    ],
    [
      'a missing Policy',
      lbService({ ...IP, 'cis.f5.com/policyName': 'gone' }),
      annotationField('cis.f5.com/policyName'),
      /^Policy prod\/gone was not found/,
    ],
    [
      'an unknown port protocol',
      lbService(IP, { ports: [{ protocol: 'QUIC', port: 443 }] }),
      'spec.ports[0].protocol',
      /"QUIC" must be TCP, UDP or SCTP/,
    ],
    ['no ports', lbService(IP, { ports: [] }), 'spec.ports', /needs at least one port/],
  ];
  for (const [what, svc, field, message] of errors) {
    it(`rejects ${what} at ${field}`, () => {
      const { claims, diagnostics } = normalize(svc);
      assert.deepEqual(claims, []);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      assert.equal(diagnostics[0]?.severity, 'error');
      assert.equal(diagnostics[0]?.field, field);
      assert.match(diagnostics[0]?.message ?? '', message);
      assert.deepEqual(diagnostics[0]?.ref, { kind: 'Service', namespace: 'prod', name: 'dns' });
    });
  }

  it('reports a bad health annotation once, however many ports use it', () => {
    const svc = lbService(
      { ...IP, 'cis.f5.com/health': '{"timeout": 0}' },
      {
        ports: [
          { protocol: 'TCP', port: 80 },
          { protocol: 'UDP', port: 80 },
        ],
      },
    );
    const { diagnostics } = normalize(svc);
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      ['timeout: 0 must be a whole number of seconds between 1 and 86400'],
    );
  });

  const warnings: Array<[string, Record<string, string>, string, RegExp]> = [
    [
      'multiClusterServices',
      { 'cis.f5.com/multiClusterServices': '[{"clusterName": "b", "weight": 50}]' },
      'cis.f5.com/multiClusterServices',
      /ignored: no cluster set is configured/,
    ],
    ['host', { 'cis.f5.com/host': 'dns.example.com' }, 'cis.f5.com/host', /only used for ExternalDNS/],
  ];
  for (const [what, annotations, key, message] of warnings) {
    it(`warns that the ${what} annotation is ignored and still publishes the Service`, () => {
      const { claims, diagnostics } = normalize(lbService({ ...IP, ...annotations }));
      assert.equal(claims.length, 1);
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.field]),
        [['warning', annotationField(key)]],
      );
      assert.match(diagnostics[0]?.message ?? '', message);
    });
  }

  describe('with a Policy', () => {
    const policy = cisResource<Policy>('Policy', 'prod', 'edge', {
      l3Policies: { firewallPolicy: '/Common/afm', allowSourceRange: ['10.0.0.0/8'] },
      profiles: { tcp: { client: '/Common/tcp-lan' }, udp: '/Common/udp-dns' },
      iRuleList: ['/Common/log'],
      snat: '/Common/snatpool',
      poolSettings: { serviceDownAction: 'reselect', reselectTries: 2 },
    });
    const svc = lbService(
      { ...IP, 'cis.f5.com/policyName': 'edge' },
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    );

    it('applies the L4 mapping per port protocol, its SNAT and its pool settings', () => {
      const { claims } = normalize(svc, [policy]);
      assert.deepEqual(
        claims.map((c) => c.settings),
        [
          {
            policyFirewallEnforced: { bigip: '/Common/afm' },
            profileUDP: { bigip: '/Common/udp-dns' },
            iRules: [{ bigip: '/Common/log' }],
          },
          {
            policyFirewallEnforced: { bigip: '/Common/afm' },
            profileTCP: { bigip: '/Common/tcp-lan' },
            iRules: [{ bigip: '/Common/log' }],
          },
        ],
      );
      assert.deepEqual(
        claims.map((c) => c.snat),
        [{ bigip: '/Common/snatpool' }, { bigip: '/Common/snatpool' }],
      );
      assert.deepEqual(
        claims.map((c) => c.routes[0]?.pool),
        [
          { reselectTries: 2, serviceDownAction: 'reselect' },
          { reselectTries: 2, serviceDownAction: 'reselect' },
        ],
      );
    });

    it("reports the Policy's iRules.secure as not applying (its L4 virtuals take the insecure ones)", () => {
      const secure = cisResource<Policy>('Policy', 'prod', 'edge', { iRules: { secure: '/Common/sec', insecure: '/Common/insec' } });
      const { claims, diagnostics } = normalize(svc, [secure]);
      assert.deepEqual(
        claims.map((c) => c.settings.iRules),
        [[{ bigip: '/Common/insec' }], [{ bigip: '/Common/insec' }]],
      );
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.field, d.message]),
        [
          [
            'warning',
            'metadata.annotations["cis.f5.com/policyName"]',
            'ignored: spec.iRules.secure of the Policy does not apply to a LoadBalancer Service; nothing to change if the Policy serves VirtualServers too, else remove it from the Policy',
          ],
        ],
      );
    });

    it('warns once per Policy field that does not apply', () => {
      const { diagnostics } = normalize(svc, [policy]);
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.field, d.message]),
        [
          [
            'warning',
            annotationField('cis.f5.com/policyName'),
            'ignored: spec.l3Policies.allowSourceRange of the Policy does not apply to a LoadBalancer Service; nothing to change if the Policy serves VirtualServers too, else remove it from the Policy',
          ],
          [
            'warning',
            annotationField('cis.f5.com/policyName'),
            'ignored: spec.profiles.tcp of the Policy does not apply to a UDP virtual; nothing to change if the Policy serves other virtuals too, else remove it from the Policy',
          ],
          [
            'warning',
            annotationField('cis.f5.com/policyName'),
            'ignored: spec.profiles.udp of the Policy does not apply to a TCP virtual; nothing to change if the Policy serves other virtuals too, else remove it from the Policy',
          ],
        ],
      );
    });
  });
});
