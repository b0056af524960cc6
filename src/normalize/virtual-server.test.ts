import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import { populateCluster } from '../inventory/populate.js';
import type { KubeObject, Policy, TLSProfile } from '../kube/types.js';
import type { NormalizeResult } from './context.js';
import { NormalizeContext } from './context.js';
import type { DefaultPool, RedirectRoute, Route, VirtualClaim } from '../model/virtual.js';
import { cisResource, contextFor, tlsSecret, virtualServer } from '../../test/support/fixtures.js';
import { SHOP_CERT, SHOP_KEY } from '../../test/support/certificates.js';
import { normalizeVirtualServer } from './virtual-server.js';

const options = contextFor([], defaultConfig());

/** The TLSProfiles (edge, reencrypt, passthrough) and the Secret they serve, in namespace shop. */
const tlsObjects: KubeObject[] = [
  tlsSecret('shop', 'shop-cert', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }),
  cisResource<TLSProfile>('TLSProfile', 'shop', 'edge', {
    hosts: ['shop.example.com'],
    tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop-cert' },
  }),
  cisResource<TLSProfile>('TLSProfile', 'shop', 'reencrypt', {
    tls: { termination: 'reencrypt', reference: 'bigip', clientSSL: '/Common/clientssl', serverSSL: '/Common/serverssl' },
  }),
  cisResource<TLSProfile>('TLSProfile', 'shop', 'passthrough', { tls: { termination: 'passthrough', reference: 'bigip' } }),
];

/** What a user sees of a route: `host/path → service:port`. */
function routeText(r: Route): string {
  return `${r.host ?? '*'}${r.path} → ${r.backend.service}:${String(r.backend.servicePort)}`;
}

function redirectText(r: RedirectRoute): string {
  return `${r.host ?? '*'}${r.path}${r.exact ? ' (exact)' : ''} → ${r.code} ${r.location}`;
}

function defaultPoolText(d: DefaultPool): string {
  return 'route' in d ? `service ${d.route.backend.service}:${String(d.route.backend.servicePort)}` : `bigip ${d.bigip}`;
}

/** A claim as the behaviour users rely on: where it listens, what it is called, where requests go. */
function claimText(c: VirtualClaim): Record<string, unknown> {
  const out: Record<string, unknown> = { listen: `${c.type} ${c.partition}/${c.address}:${c.port}`, routes: c.routes.map(routeText) };
  if (c.virtualName) out['virtualName'] = c.virtualName;
  if (c.hostGroup) out['hostGroup'] = c.hostGroup;
  if (c.tls) out['tls'] = c.tls.termination;
  if (c.redirects) out['redirects'] = c.redirects.map(redirectText);
  if (c.defaultPool) out['defaultPool'] = defaultPoolText(c.defaultPool);
  return out;
}

function normalize(spec: Record<string, unknown>, ctx: NormalizeContext = contextFor(tlsObjects)): NormalizeResult {
  const vs = virtualServer('shop', 'web', spec);
  return normalizeVirtualServer(vs, refOf(vs), ctx);
}

/** A context whose IPAM gave `10.9.0.7` to the key of the shop.example.com VirtualServer in namespace shop. */
function ipamContext(): NormalizeContext {
  const { state } = populateCluster('test', []);
  return new NormalizeContext(defaultConfig(), state, {
    outcomes: new Map([['shop/shop.example.com_host', { address: '10.9.0.7' }]]),
    inLabel: () => false,
  });
}

const SHOP = { host: 'shop.example.com', virtualServerAddress: '10.1.1.1' };
const WEB = { path: '/', service: 'web', servicePort: 80 };
const TO_HTTPS = 'tcl:https://[getfield [HTTP::host] ":" 1][HTTP::uri]';

describe('normalizeVirtualServer: the claims of a VirtualServer', () => {
  const cases: Array<[string, Record<string, unknown>, Array<Record<string, unknown>>, NormalizeContext?]> = [
    [
      'one HTTP virtual on port 80 with a route per pool, for spec.host',
      { ...SHOP, pools: [WEB, { path: '/api/', service: 'api', servicePort: 8080 }] },
      [{ listen: 'http kubernetes/10.1.1.1:80', routes: ['shop.example.com/ → web:80', 'shop.example.com/api → api:8080'] }],
    ],
    [
      'routes for any host without spec.host',
      { virtualServerAddress: '10.1.1.1', pools: [WEB] },
      [{ listen: 'http kubernetes/10.1.1.1:80', routes: ['*/ → web:80'] }],
    ],
    [
      'every pool routed for the host and each of its hostAliases (lower case, once each)',
      { ...SHOP, hostAliases: ['www.example.com', 'Shop.Example.com'], pools: [WEB] },
      [{ listen: 'http kubernetes/10.1.1.1:80', routes: ['shop.example.com/ → web:80', 'www.example.com/ → web:80'] }],
    ],
    [
      'virtualServerHTTPPort and virtualServerName',
      { ...SHOP, virtualServerHTTPPort: 8080, virtualServerName: 'shop_vs', pools: [WEB] },
      [{ listen: 'http kubernetes/10.1.1.1:8080', routes: ['shop.example.com/ → web:80'], virtualName: 'shop_vs' }],
    ],
    [
      'an edge TLSProfile: HTTPS on 443, and HTTP forwarded too (httpTraffic absent = allow)',
      { ...SHOP, tlsProfileName: 'edge', pools: [WEB] },
      [
        { listen: 'https kubernetes/10.1.1.1:443', routes: ['shop.example.com/ → web:80'], tls: 'edge' },
        { listen: 'http kubernetes/10.1.1.1:80', routes: ['shop.example.com/ → web:80'] },
      ],
    ],
    [
      'httpTraffic: redirect: the HTTP virtual redirects every route to HTTPS (301)',
      { ...SHOP, tlsProfileName: 'edge', httpTraffic: 'redirect', pools: [WEB, { ...WEB, path: '/cart' }] },
      [
        { listen: 'https kubernetes/10.1.1.1:443', routes: ['shop.example.com/ → web:80', 'shop.example.com/cart → web:80'], tls: 'edge' },
        {
          listen: 'http kubernetes/10.1.1.1:80',
          routes: [],
          redirects: [`shop.example.com/ → 301 ${TO_HTTPS}`, `shop.example.com/cart → 301 ${TO_HTTPS}`],
        },
      ],
    ],
    [
      'httpTraffic: redirect to a virtualServerHTTPSPort other than 443 names the port',
      { ...SHOP, tlsProfileName: 'edge', httpTraffic: 'redirect', virtualServerHTTPSPort: 8443, pools: [WEB] },
      [
        { listen: 'https kubernetes/10.1.1.1:8443', routes: ['shop.example.com/ → web:80'], tls: 'edge' },
        {
          listen: 'http kubernetes/10.1.1.1:80',
          routes: [],
          redirects: ['shop.example.com/ → 301 tcl:https://[getfield [HTTP::host] ":" 1]:8443[HTTP::uri]'],
        },
      ],
    ],
    [
      'httpTraffic: none: HTTPS only',
      { ...SHOP, tlsProfileName: 'edge', httpTraffic: 'none', pools: [WEB] },
      [{ listen: 'https kubernetes/10.1.1.1:443', routes: ['shop.example.com/ → web:80'], tls: 'edge' }],
    ],
    [
      'a reencrypt TLSProfile: HTTPS only (httpTraffic absent = none)',
      { ...SHOP, tlsProfileName: 'reencrypt', pools: [WEB] },
      [{ listen: 'https kubernetes/10.1.1.1:443', routes: ['shop.example.com/ → web:80'], tls: 'reencrypt' }],
    ],
    [
      'a passthrough TLSProfile: only the pools with path / (traffic stays encrypted)',
      { ...SHOP, tlsProfileName: 'passthrough', pools: [WEB, { ...WEB, path: '/api', service: 'api' }] },
      [{ listen: 'https kubernetes/10.1.1.1:443', routes: ['shop.example.com/ → web:80'], tls: 'passthrough' }],
    ],
    [
      'defaultPool from a Service',
      { ...SHOP, pools: [WEB], defaultPool: { reference: 'service', service: 'fallback', servicePort: 8080 } },
      [{ listen: 'http kubernetes/10.1.1.1:80', routes: ['shop.example.com/ → web:80'], defaultPool: 'service fallback:8080' }],
    ],
    [
      'defaultPool naming an existing BIG-IP pool',
      { ...SHOP, pools: [WEB], defaultPool: { reference: 'bigip', name: '/Common/fallback' } },
      [{ listen: 'http kubernetes/10.1.1.1:80', routes: ['shop.example.com/ → web:80'], defaultPool: 'bigip /Common/fallback' }],
    ],
    [
      'rewriteAppRoot: exactly / of each host redirects to the application root (302)',
      { ...SHOP, hostAliases: ['www.example.com'], rewriteAppRoot: '/home', pools: [WEB] },
      [
        {
          listen: 'http kubernetes/10.1.1.1:80',
          routes: ['shop.example.com/ → web:80', 'www.example.com/ → web:80'],
          redirects: ['shop.example.com/ (exact) → 302 /home', 'www.example.com/ (exact) → 302 /home'],
        },
      ],
    ],
    [
      'hostGroup: the group and hostGroupVirtualServerName name the virtual',
      { ...SHOP, hostGroup: 'shop-group', hostGroupVirtualServerName: 'shared_vs', virtualServerName: 'ignored_vs', pools: [WEB] },
      [
        {
          listen: 'http kubernetes/10.1.1.1:80',
          routes: ['shop.example.com/ → web:80'],
          virtualName: 'shared_vs',
          hostGroup: 'shop-group',
        },
      ],
    ],
    [
      'the address IPAM gave for ipamLabel',
      { host: 'shop.example.com', ipamLabel: 'prod', pools: [WEB] },
      [{ listen: 'http kubernetes/10.9.0.7:80', routes: ['shop.example.com/ → web:80'] }],
      ipamContext(),
    ],
    [
      'a partition and a route domain on the address',
      { ...SHOP, partition: 'shop', bigipRouteDomain: 2, pools: [WEB] },
      [{ listen: 'http shop/10.1.1.1%2:80', routes: ['shop.example.com/ → web:80'] }],
    ],
  ];
  for (const [what, spec, expected, ctx] of cases) {
    it(what, () => {
      const result = normalize(spec, ctx);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      assert.deepEqual(result.claims.map(claimText), expected);
    });
  }

  it('gives every claim the resource as its source and the TLS model of the TLSProfile on the HTTPS side', () => {
    const result = normalize({ ...SHOP, tlsProfileName: 'edge', pools: [WEB] });
    assert.deepEqual(
      result.claims.map((c) => [c.source.kind, c.source.namespace, c.source.name]),
      [
        ['VirtualServer', 'shop', 'web'],
        ['VirtualServer', 'shop', 'web'],
      ],
    );
    const clientSide = result.claims[0]?.tls?.clientSide;
    assert.ok(clientSide && 'certificates' in clientSide);
    assert.deepEqual(
      clientSide.certificates.map((c) => c.secret),
      ['shop/shop-cert'],
    );
    assert.equal(result.claims[1]?.tls, undefined);
  });

  const warnings: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'a VirtualServer without pools',
      { ...SHOP },
      'spec.pools',
      /^no pools: the virtual accepts connections but has nowhere to send them$/,
    ],
    [
      'httpTraffic: none without a TLSProfile',
      { ...SHOP, httpTraffic: 'none', pools: [WEB] },
      'spec.httpTraffic',
      /^ignored: none only applies to a VirtualServer with spec.tlsProfileName/,
    ],
    [
      'hostGroupVirtualServerName without hostGroup',
      { ...SHOP, hostGroupVirtualServerName: 'x', pools: [WEB] },
      'spec.hostGroupVirtualServerName',
      /^ignored: it names the virtual of a hostGroup and spec.hostGroup is not set/,
    ],
    [
      'a path on a passthrough virtual',
      { ...SHOP, tlsProfileName: 'passthrough', pools: [WEB, { ...WEB, path: '/api' }] },
      'spec.pools[1].path',
      /^ignored: a TLS passthrough virtual cannot see paths/,
    ],
  ];
  for (const [what, spec, field, message] of warnings) {
    it(`warns about ${what}, at ${field}, and still gives its claims`, () => {
      const result = normalize(spec);
      assert.ok(result.claims.length > 0);
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.field]),
        [['warning', field]],
      );
      assert.match(result.diagnostics[0]?.message ?? '', message);
    });
  }

  const errors: Array<[string, Record<string, unknown> | undefined, string, RegExp, NormalizeContext?]> = [
    ['a VirtualServer without spec', undefined, 'spec', /^is required$/],
    [
      'hostAliases without host',
      { virtualServerAddress: '10.1.1.1', hostAliases: ['www.example.com'], pools: [WEB] },
      'spec.hostAliases',
      /^needs spec.host/,
    ],
    [
      'hostAliases that is not a list',
      { ...SHOP, hostAliases: 'www.example.com', pools: [WEB] },
      'spec.hostAliases',
      /^must be a list of host names$/,
    ],
    [
      'httpTraffic: allow without a TLSProfile',
      { ...SHOP, httpTraffic: 'allow', pools: [WEB] },
      'spec.httpTraffic',
      /is only allowed on a VirtualServer with spec.tlsProfileName/,
    ],
    [
      'an unknown httpTraffic',
      { ...SHOP, tlsProfileName: 'edge', httpTraffic: 'sometimes', pools: [WEB] },
      'spec.httpTraffic',
      /^"sometimes" must be allow, redirect or none$/,
    ],
    [
      'httpTraffic: allow with reencrypt',
      { ...SHOP, tlsProfileName: 'reencrypt', httpTraffic: 'allow', pools: [WEB] },
      'spec.httpTraffic',
      /^allow cannot be used with reencrypt termination/,
    ],
    [
      'a TLSProfile that does not exist',
      { ...SHOP, tlsProfileName: 'missing', pools: [WEB] },
      'spec.tlsProfileName',
      /^TLSProfile shop\/missing was not found/,
    ],
    [
      'rewriteAppRoot: /',
      { ...SHOP, rewriteAppRoot: '/', pools: [WEB] },
      'spec.rewriteAppRoot',
      /^must be a path below \/ \(redirecting \/ to itself loops\)$/,
    ],
    [
      'a hostGroup that is not a name',
      { ...SHOP, hostGroup: 'a b', pools: [WEB] },
      'spec.hostGroup',
      /^"a b" must be letters, digits, - _ \./,
    ],
    [
      'a defaultPool without reference',
      { ...SHOP, pools: [WEB], defaultPool: { service: 'fallback', servicePort: 80 } },
      'spec.defaultPool.reference',
      /must be service or bigip$/,
    ],
    [
      'an ipamLabel when IPAM is not configured',
      { host: 'shop.example.com', ipamLabel: 'prod', pools: [WEB] },
      'spec.ipamLabel',
      /^IPAM is not configured: add the label "prod"/,
    ],
    [
      'an address that is not one',
      { ...SHOP, virtualServerAddress: '10.1.1.300', pools: [WEB] },
      'spec.virtualServerAddress',
      /^"10\.1\.1\.300" is not an IPv4 or IPv6 address$/,
    ],
  ];
  for (const [what, spec, field, message, ctx] of errors) {
    it(`refuses ${what}, naming ${field}`, () => {
      const vs = virtualServer('shop', 'web', spec);
      const result = normalizeVirtualServer(vs, refOf(vs), ctx ?? contextFor(tlsObjects));
      assert.deepEqual(result.claims, []);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.field),
        [field],
      );
      assert.match(result.diagnostics.find((d) => d.severity === 'error')?.message ?? '', message);
    });
  }
});

/** CIS 2.20's references across namespaces and its newer profiles: translated, never dropped. */
describe('normalizeVirtualServer: policyNamespace, tlsProfileNamespace and CIS 2.20 profiles', () => {
  const policy = cisResource<Policy>('Policy', 'shared', 'edge', { l7Policies: { waf: '/Common/waf' } });
  const profile = cisResource<TLSProfile>('TLSProfile', 'shared', 'tls', {
    tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/clientssl' },
  });
  const inventory = contextFor([policy, profile], defaultConfig());
  const base = { virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 's', servicePort: 80 }] };

  it('takes the Policy from policyNamespace and the TLSProfile from tlsProfileNamespace', () => {
    const vs = virtualServer('shop', 'web', {
      ...base,
      policyName: 'edge',
      policyNamespace: 'shared',
      tlsProfileName: 'tls',
      tlsProfileNamespace: 'shared',
    });
    const result = normalizeVirtualServer(vs, refOf(vs), inventory);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.claims.map((c) => [c.type, c.settings.policyWAF]),
      [
        ['https', { bigip: '/Common/waf' }],
        ['http', { bigip: '/Common/waf' }],
      ],
    );
    assert.equal(result.claims[0]?.tls?.source.namespace, 'shared');
  });

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'a Policy looked up in its own namespace when policyNamespace is absent',
      { policyName: 'edge' },
      'spec.policyName',
      /^Policy shop\/edge was not found; create it/,
    ],
    [
      'a TLSProfile looked up in its own namespace when tlsProfileNamespace is absent',
      { tlsProfileName: 'tls' },
      'spec.tlsProfileName',
      /^TLSProfile shop\/tls was not found/,
    ],
    [
      'a policyNamespace that is not a namespace name',
      { policyName: 'edge', policyNamespace: 'Shared' },
      'spec.policyNamespace',
      /^"Shared" is not a valid namespace name$/,
    ],
  ];
  for (const [what, spec, field, message] of refused) {
    it(`refuses ${what}`, () => {
      const vs = virtualServer('shop', 'web', { ...base, ...spec });
      const result = normalizeVirtualServer(vs, refOf(vs), inventory);
      assert.deepEqual(result.claims, []);
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.field]),
        [['error', field]],
      );
      assert.match(result.diagnostics[0]?.message ?? '', message);
    });
  }

  it("says when the Policy's namespace is not one the controller reads", () => {
    const config = { ...defaultConfig(), namespaces: ['shop'] };
    const vs = virtualServer('shop', 'web', { ...base, policyName: 'edge', policyNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), contextFor([policy], config));
    assert.match(
      result.diagnostics[0]?.message ?? '',
      /^Policy shared\/edge was not found; namespace shared is not one of the configured namespaces, so kube-as3 does not read it; add it to namespaces in the config file$/,
    );
  });

  it('refuses a TLSProfile of a namespace the controller does not read, even when a file holds it', () => {
    const config = { ...defaultConfig(), namespaces: ['shop'] };
    const vs = virtualServer('shop', 'web', { ...base, tlsProfileName: 'tls', tlsProfileNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), contextFor([profile], config));
    assert.deepEqual(result.claims, []);
    assert.match(
      result.diagnostics[0]?.message ?? '',
      /^TLSProfile shared\/tls was not found; namespace shared is not one of the configured namespaces/,
    );
  });

  it('warns that policyNamespace without policyName means nothing', () => {
    const vs = virtualServer('shop', 'web', { ...base, policyNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), inventory);
    assert.equal(result.claims.length, 1);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.field, d.message]),
      [['warning', 'spec.policyNamespace', 'ignored: spec.policyName is not set; name the Policy there, or remove policyNamespace']],
    );
  });

  it('puts profileApiProtection, profileAnalyticsTcp and profiles.profileProtocolInspection on the virtual', () => {
    const vs = virtualServer('shop', 'web', {
      ...base,
      profileApiProtection: '/Common/api',
      profileAnalyticsTcp: '/Common/tcp-analytics',
      profiles: { profileProtocolInspection: '/Common/inspect' },
    });
    const result = normalizeVirtualServer(vs, refOf(vs), options);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.claims[0]?.settings, {
      profileAnalyticsTcp: { bigip: '/Common/tcp-analytics' },
      profileProtocolInspection: { bigip: '/Common/inspect' },
      profileApiProtection: { bigip: '/Common/api' },
    });
  });
});
