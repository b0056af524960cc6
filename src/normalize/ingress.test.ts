import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import type { Ingress, IngressClass, KubeObject } from '../kube/types.js';
import type { RedirectRoute, Route, VirtualClaim } from '../model/virtual.js';
import { SHOP_CERT, SHOP_KEY } from '../../test/support/certificates.js';
import { contextFor, tlsSecret } from '../../test/support/fixtures.js';
import type { NormalizeResult } from './context.js';
import { normalizeIngress } from './ingress.js';
import { INGRESS_CONTROLLER } from './ingress-class.js';

const f5Class: IngressClass = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'f5' },
  spec: { controller: INGRESS_CONTROLLER },
};
const shopSecret = tlsSecret('shop', 'shop-tls', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY });
const ref = { kind: 'Ingress', namespace: 'shop', name: 'web' };
const REDIRECT_443 = 'tcl:https://[getfield [HTTP::host] ":" 1][HTTP::uri]';

type PathSpec = [path: string, service: string, port: number | string, pathType?: string];

function rule(host: string | undefined, paths: PathSpec[]): NonNullable<NonNullable<Ingress['spec']>['rules']>[number] {
  return {
    ...(host ? { host } : {}),
    http: {
      paths: paths.map(([path, service, port, pathType]) => ({
        path,
        pathType: pathType ?? 'Prefix',
        backend: { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } },
      })),
    },
  };
}

function ingress(spec: Ingress['spec'], annotations: Record<string, string> = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'shop', name: 'web', annotations: { 'virtual-server.f5.com/ip': '10.1.10.50', ...annotations } },
    spec: { ingressClassName: 'f5', ...spec },
  };
}

function normalize(ing: Ingress, objects: KubeObject[] = []): NormalizeResult {
  const config = defaultConfig();
  config.bigip.partition = 'k8s';
  return normalizeIngress(ing, refOf(ing), contextFor([f5Class, shopSecret, ...objects], config));
}

function clean(ing: Ingress, objects: KubeObject[] = []): VirtualClaim[] {
  const result = normalize(ing, objects);
  assert.deepEqual(result.diagnostics, []);
  return result.claims;
}

/** A route of an Ingress rule (case-sensitive paths, as Kubernetes matches them); pass `caseSensitive: undefined` for the default backend. */
function route(
  host: string | undefined,
  path: string,
  service: string,
  port: number | string,
  field: string,
  extra: Partial<Route> = {},
): Route {
  const out: Route = {
    ...(host ? { host } : {}),
    path,
    caseSensitive: true,
    backend: { namespace: 'shop', service, servicePort: port },
    monitors: [],
    field,
    source: ref,
    ...extra,
  };
  if (out.caseSensitive === undefined) delete out.caseSensitive;
  return out;
}

const shopRules = [
  rule('Shop.Example.com', [
    ['/cart', 'cart', 80],
    ['/', 'web', 'http'],
  ]),
];
const shopRoutes = [
  route('shop.example.com', '/cart', 'cart', 80, 'spec.rules[0].http.paths[0]'),
  route('shop.example.com', '/', 'web', 'http', 'spec.rules[0].http.paths[1]'),
];

describe('normalizeIngress', () => {
  it('gives a plain Ingress one HTTP claim on ip:80 with a route per path', () => {
    const ing = ingress({ rules: shopRules });
    assert.deepEqual(clean(ing), [
      {
        source: ref,
        object: ing,
        type: 'http',
        partition: 'k8s',
        address: '10.1.10.50',
        port: 80,
        snat: 'auto',
        settings: {},
        routes: shopRoutes,
      },
    ]);
  });

  it('keeps Exact paths exact and reads Prefix and ImplementationSpecific paths as segment prefixes', () => {
    const claims = clean(
      ingress({
        rules: [
          rule('a.example.com', [
            ['/exact/', 'e', 80, 'Exact'],
            ['/exact', 'p', 80, 'Prefix'],
            ['/impl', 'i', 80, 'ImplementationSpecific'],
          ]),
        ],
      }),
    );
    assert.deepEqual(
      claims[0]?.routes.map((r) => [r.path, r.exact ?? false, r.backend.service]),
      [
        ['/exact/', true, 'e'],
        ['/exact', false, 'p'],
        ['/impl', false, 'i'],
      ],
    );
  });

  it('routes host-less rules to any host and wildcard hosts by suffix', () => {
    const claims = clean(ingress({ rules: [rule(undefined, [['/api', 'api', 8080]]), rule('*.Example.com', [['/', 'web', 80]])] }));
    assert.deepEqual(
      claims[0]?.routes.map((r) => [r.host, r.path]),
      [
        [undefined, '/api'],
        ['*.example.com', '/'],
      ],
    );
  });

  it('sends unmatched traffic to spec.defaultBackend', () => {
    const claims = clean(ingress({ defaultBackend: { service: { name: 'fallback', port: { number: 8080 } } }, rules: shopRules }));
    assert.deepEqual(claims[0]?.defaultPool, {
      route: route(undefined, '/', 'fallback', 8080, 'spec.defaultBackend', { caseSensitive: undefined }),
    });
  });

  it('serves an Ingress with only a defaultBackend', () => {
    const claims = clean(ingress({ defaultBackend: { service: { name: 'fallback', port: { number: 8080 } } } }));
    assert.deepEqual(claims[0]?.routes, []);
    assert.equal(
      claims[0]?.defaultPool && 'route' in claims[0].defaultPool ? claims[0].defaultPool.route.backend.service : undefined,
      'fallback',
    );
  });

  it('ignores a rule with a host and no http section', () => {
    const claims = clean(ingress({ rules: [{ host: 'empty.example.com' }, ...shopRules] }));
    assert.deepEqual(
      claims[0]?.routes.map((r) => [r.host, r.path, r.field]),
      [
        ['shop.example.com', '/cart', 'spec.rules[1].http.paths[0]'],
        ['shop.example.com', '/', 'spec.rules[1].http.paths[1]'],
      ],
    );
  });

  it('applies partition, ports, balance, source ranges, health, rewrites, app root and WAF', () => {
    const claims = clean(
      ingress(
        { defaultBackend: { service: { name: 'fallback', port: { number: 8080 } } }, rules: shopRules },
        {
          'virtual-server.f5.com/partition': 'prod',
          'virtual-server.f5.com/http-port': '8080',
          'virtual-server.f5.com/balance': 'least-connections-member',
          'virtual-server.f5.com/allow-source-range': '10.0.0.0/8',
          'virtual-server.f5.com/health':
            '[{"path": "shop.example.com/cart", "send": "GET /health", "interval": 5, "timeout": 16}, {"path": "*/", "type": "tcp"}]',
          'virtual-server.f5.com/rewrite-target-url': 'shop.example.com/cart=basket.example.com/basket',
          'virtual-server.f5.com/rewrite-app-root': 'shop.example.com=/cart',
          'virtual-server.f5.com/waf': '/Common/WAF_Policy',
        },
      ),
    );
    assert.equal(claims.length, 1);
    const claim = claims[0] as VirtualClaim;
    assert.deepEqual(
      [claim.partition, claim.port, claim.settings],
      ['prod', 8080, {}],
      "the WAF is on the Ingress's routes, not the shared virtual",
    );
    const pool = { loadBalancingMode: 'least-connections-member' };
    const allowSourceRange = ['10.0.0.0/8'];
    const waf = { bigip: '/Common/WAF_Policy' };
    assert.deepEqual(claim.routes, [
      route('shop.example.com', '/cart', 'cart', 80, 'spec.rules[0].http.paths[0]', {
        monitors: [{ type: 'http', send: 'GET /health', interval: 5, timeout: 16 }],
        pool,
        allowSourceRange,
        rewrite: '/basket',
        hostRewrite: 'basket.example.com',
        waf,
      }),
      route('shop.example.com', '/', 'web', 'http', 'spec.rules[0].http.paths[1]', { pool, allowSourceRange, waf }),
    ]);
    assert.deepEqual(claim.defaultPool, {
      route: route(undefined, '/', 'fallback', 8080, 'spec.defaultBackend', {
        monitors: [{ type: 'tcp' }],
        pool,
        allowSourceRange,
        waf,
        caseSensitive: undefined,
      }),
    });
    assert.deepEqual(claim.redirects, [
      {
        host: 'shop.example.com',
        path: '/',
        exact: true,
        location: '/cart',
        code: 302,
        allowSourceRange,
        field: 'metadata.annotations["virtual-server.f5.com/rewrite-app-root"]',
        source: ref,
      },
    ]);
  });

  it('applies a single rewrite-target-url and app-root value to every route and host of the Ingress', () => {
    const claims = clean(
      ingress(
        { rules: [rule('a.example.com', [['/x', 'a', 80]]), rule('b.example.com', [['/', 'b', 80]])] },
        {
          'virtual-server.f5.com/rewrite-target-url': '/v2',
          'virtual-server.f5.com/rewrite-app-root': '/x',
        },
      ),
    );
    assert.deepEqual(
      claims[0]?.routes.map((r) => r.rewrite),
      ['/v2', '/v2'],
    );
    assert.deepEqual(
      claims[0]?.redirects?.map((r) => [r.host, r.path, r.location, r.code]),
      [
        ['a.example.com', '/', '/x', 302],
        ['b.example.com', '/', '/x', 302],
      ],
    );
  });

  describe('with TLS', () => {
    const tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }];
    const httpsRedirect = (location: string): RedirectRoute[] => [
      {
        host: 'shop.example.com',
        path: '/cart',
        caseSensitive: true,
        location,
        code: 301,
        field: 'spec.rules[0].http.paths[0]',
        source: ref,
      },
      { host: 'shop.example.com', path: '/', caseSensitive: true, location, code: 301, field: 'spec.rules[0].http.paths[1]', source: ref },
    ];
    const cases: Array<{
      what: string;
      annotations: Record<string, string>;
      http?: 'redirect' | 'forward';
      httpsPort?: number;
      location?: string;
    }> = [
      { what: 'redirects HTTP to HTTPS by default', annotations: {}, http: 'redirect', location: REDIRECT_443 },
      {
        what: 'redirects to a non-default HTTPS port with the port in the location',
        annotations: { 'virtual-server.f5.com/https-port': '8443' },
        http: 'redirect',
        httpsPort: 8443,
        location: 'tcl:https://[getfield [HTTP::host] ":" 1]:8443[HTTP::uri]',
      },
      {
        what: 'redirects when both ssl-redirect and allow-http are true (ssl-redirect wins, as in CIS)',
        annotations: { 'ingress.kubernetes.io/allow-http': 'true' },
        http: 'redirect',
        location: REDIRECT_443,
      },
      {
        what: 'forwards HTTP as well with allow-http',
        annotations: { 'ingress.kubernetes.io/ssl-redirect': 'false', 'ingress.kubernetes.io/allow-http': 'true' },
        http: 'forward',
      },
      {
        what: 'serves HTTPS only when ssl-redirect and allow-http are false',
        annotations: { 'ingress.kubernetes.io/ssl-redirect': 'false' },
      },
    ];
    for (const c of cases) {
      it(c.what, () => {
        const claims = clean(ingress({ tls, rules: shopRules }, c.annotations));
        const https = claims.find((claim) => claim.type === 'https');
        assert.ok(https);
        assert.equal(https.port, c.httpsPort ?? 443);
        assert.deepEqual(https.routes, shopRoutes);
        assert.equal(https.tls?.termination, 'edge');
        const side = https.tls?.clientSide;
        assert.ok(side && 'certificates' in side);
        assert.deepEqual(
          side.certificates.map((cert) => cert.secret),
          ['shop/shop-tls'],
        );
        const http = claims.filter((claim) => claim.type === 'http');
        if (c.http === undefined) return assert.deepEqual(http, []);
        assert.equal(http.length, 1);
        assert.equal(http[0]?.port, 80);
        if (c.http === 'forward') {
          assert.deepEqual(http[0]?.routes, shopRoutes);
          assert.equal(http[0]?.redirects, undefined);
        } else {
          assert.deepEqual(http[0]?.routes, []);
          assert.deepEqual(http[0]?.redirects, httpsRedirect(c.location ?? ''));
          assert.equal(http[0]?.tls, undefined);
        }
      });
    }

    it('redirects everything the default backend would take', () => {
      const claims = clean(ingress({ tls, defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } }));
      const http = claims.find((claim) => claim.type === 'http');
      assert.deepEqual(http?.redirects, [{ path: '/', location: REDIRECT_443, code: 301, field: 'spec.defaultBackend', source: ref }]);
      assert.equal(http?.defaultPool, undefined);
      assert.ok(claims.find((claim) => claim.type === 'https')?.defaultPool);
    });

    it('uses the clientssl and serverssl annotations for re-encryption with BIG-IP profiles', () => {
      const claims = clean(
        ingress(
          { rules: shopRules },
          {
            'virtual-server.f5.com/clientssl': '/Common/clientssl',
            'virtual-server.f5.com/serverssl': '/Common/serverssl',
          },
        ),
      );
      const https = claims.find((claim) => claim.type === 'https');
      assert.deepEqual(https?.tls, {
        termination: 'reencrypt',
        clientSide: { profiles: [{ bigip: '/Common/clientssl' }] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
        source: ref,
      });
    });

    it('re-encrypts spec.tls traffic with the serverssl profile', () => {
      const claims = clean(ingress({ tls, rules: shopRules }, { 'virtual-server.f5.com/serverssl': '/Common/serverssl' }));
      const https = claims.find((claim) => claim.type === 'https');
      assert.equal(https?.tls?.termination, 'reencrypt');
      assert.deepEqual(https?.tls?.serverSide, { profiles: [{ bigip: '/Common/serverssl' }] });
      assert.ok(https?.tls?.clientSide && 'certificates' in https.tls.clientSide);
    });

    it('lets the clientssl annotation take the place of spec.tls, with a warning', () => {
      const result = normalize(ingress({ tls, rules: shopRules }, { 'virtual-server.f5.com/clientssl': '/Common/clientssl' }));
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.field]),
        [['warning', 'spec.tls']],
      );
      assert.deepEqual(result.claims.find((claim) => claim.type === 'https')?.tls?.clientSide, {
        profiles: [{ bigip: '/Common/clientssl' }],
      });
    });
  });

  const errors: Array<[string, Ingress, string, RegExp]> = [
    [
      'no ip annotation',
      { ...ingress({ rules: shopRules }), metadata: { namespace: 'shop', name: 'web' } },
      'metadata.annotations["virtual-server.f5.com/ip"]',
      /is required/,
    ],
    [
      'a duplicate host and path',
      ingress({ rules: [...shopRules, rule('shop.example.com', [['/cart/', 'other', 80]])] }),
      'spec.rules[1].http.paths[0].path',
      /shop\.example\.com\/cart is already routed by spec\.rules\[0\]\.http\.paths\[0\]/,
    ],
    [
      'a resource backend',
      ingress({
        rules: [
          {
            host: 'a.example.com',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } }] },
          },
        ],
      }),
      'spec.rules[0].http.paths[0].backend.resource',
      /is not supported: kube-as3 routes Ingress traffic to Services only/,
    ],
    [
      'an unknown pathType',
      ingress({ rules: [rule('a.example.com', [['/', 'a', 80, 'Regex']])] }),
      'spec.rules[0].http.paths[0].pathType',
      /"Regex" must be Exact, Prefix or ImplementationSpecific/,
    ],
    [
      'a path without a leading /',
      ingress({ rules: [rule('a.example.com', [['api', 'a', 80]])] }),
      'spec.rules[0].http.paths[0].path',
      /"api" must start with \//,
    ],
    [
      'a backend without a port',
      ingress({ rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a' } } }] } }] }),
      'spec.rules[0].http.paths[0].backend.service.port',
      /is required: set number or name/,
    ],
    [
      'an invalid host',
      ingress({ rules: [rule('shop_example.com', [['/', 'a', 80]])] }),
      'spec.rules[0].host',
      /"shop_example\.com" is not a valid host name/,
    ],
    [
      'a missing TLS Secret',
      ingress({ tls: [{ hosts: ['shop.example.com'], secretName: 'missing' }], rules: shopRules }),
      'spec.tls[0]',
      /^Secret shop\/missing was not found$/,
    ],
    [
      'the same HTTP and HTTPS port',
      ingress(
        { tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }], rules: shopRules },
        { 'virtual-server.f5.com/https-port': '80' },
      ),
      'metadata.annotations["virtual-server.f5.com/https-port"]',
      /80 is also the HTTP port/,
    ],
    [
      'two rewrites of one route',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/rewrite-target-url': 'shop.example.com/cart=/a,shop.example.com/cart=/b' }),
      'metadata.annotations["virtual-server.f5.com/rewrite-target-url"]',
      /"shop\.example\.com\/cart=\/b" rewrites shop\.example\.com\/cart, which "shop\.example\.com\/cart=\/a" already rewrites/,
    ],
    [
      'no spec',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          namespace: 'shop',
          name: 'web',
          annotations: { 'kubernetes.io/ingress.class': 'f5', 'virtual-server.f5.com/ip': '10.1.10.50' },
        },
      },
      'spec',
      /is required/,
    ],
  ];
  for (const [what, ing, field, message] of errors) {
    it(`rejects the whole Ingress for ${what} (error on ${field})`, () => {
      const result = normalize(ing);
      assert.deepEqual(result.claims, []);
      const found = result.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(found.length, 1, JSON.stringify(result.diagnostics));
      assert.equal(found[0]?.field, field);
      assert.match(found[0]?.message ?? '', message);
    });
  }

  const warnings: Array<[string, Ingress, string, RegExp]> = [
    [
      'a health entry that matches no rule',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/health': '[{"path": "shop.example.com/nowhere"}]' }),
      'metadata.annotations["virtual-server.f5.com/health"]',
      /^\[0\]\.path: "shop\.example\.com\/nowhere" matches no rule of this Ingress/,
    ],
    [
      'a rewrite that matches no rule',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/rewrite-target-url': 'other.example.com/x=/y' }),
      'metadata.annotations["virtual-server.f5.com/rewrite-target-url"]',
      /"other\.example\.com\/x=\/y" matches no rule of this Ingress/,
    ],
    [
      'an app root for a host the Ingress does not route',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/rewrite-app-root': 'docs.example.com=/en' }),
      'metadata.annotations["virtual-server.f5.com/rewrite-app-root"]',
      /host docs\.example\.com has no rule in this Ingress/,
    ],
    [
      'an app root no path routes',
      ingress(
        { rules: [rule('docs.example.com', [['/docs', 'd', 80]])] },
        { 'virtual-server.f5.com/rewrite-app-root': 'docs.example.com=/en' },
      ),
      'metadata.annotations["virtual-server.f5.com/rewrite-app-root"]',
      /no path of this Ingress routes \/en for docs\.example\.com/,
    ],
    [
      'ssl-redirect without TLS',
      ingress({ rules: shopRules }, { 'ingress.kubernetes.io/ssl-redirect': 'true' }),
      'metadata.annotations["ingress.kubernetes.io/ssl-redirect"]',
      /^has no effect: the Ingress has no TLS \(spec\.tls or the clientssl annotation\); add spec\.tls, or remove the annotation$/,
    ],
    [
      'https-port without TLS',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/https-port': '8443' }),
      'metadata.annotations["virtual-server.f5.com/https-port"]',
      /^has no effect: the Ingress has no TLS/,
    ],
    [
      'allow-http without TLS',
      ingress({ rules: shopRules, tls: [] }, { 'ingress.kubernetes.io/allow-http': 'true' }),
      'metadata.annotations["ingress.kubernetes.io/allow-http"]',
      /^has no effect: the Ingress has no TLS/,
    ],
    [
      'a health timeout equal to the interval',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/health': '[{"path": "shop.example.com/", "interval": 5, "timeout": 5}]' }),
      'metadata.annotations["virtual-server.f5.com/health"]',
      /^\[0\]\.timeout: 5 is not greater than interval \(5s\)/,
    ],
    [
      'serverssl without TLS',
      ingress({ rules: shopRules }, { 'virtual-server.f5.com/serverssl': '/Common/serverssl' }),
      'metadata.annotations["virtual-server.f5.com/serverssl"]',
      /ignored: the Ingress has no TLS/,
    ],
    [
      'an Ingress with nothing to route',
      ingress({ rules: [{ host: 'a.example.com' }] }),
      'spec.rules',
      /no rule has http paths and there is no defaultBackend/,
    ],
    [
      'a missing IngressClass object',
      ingress({ ingressClassName: 'bigip', rules: shopRules }),
      'spec.ingressClassName',
      /IngressClass bigip does not exist/,
    ],
  ];
  for (const [what, ing, field, message] of warnings) {
    it(`still serves the Ingress with a warning for ${what}`, () => {
      const config = defaultConfig();
      config.ingressClass = ing.spec?.ingressClassName ?? 'f5';
      const result = normalizeIngress(ing, refOf(ing), contextFor([f5Class], config));
      assert.ok(result.claims.length > 0);
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.field]),
        [['warning', field]],
      );
      assert.match(result.diagnostics[0]?.message ?? '', message);
    });
  }

  it('leaves an Ingress of another controller alone: no claims, no diagnostics', () => {
    const nginx: IngressClass = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    };
    const result = normalize(
      ingress(
        { ingressClassName: 'nginx', rules: [rule('a.example.com', [['bad path', 'x', 0]])] },
        { 'virtual-server.f5.com/ip': 'nope' },
      ),
      [nginx],
    );
    assert.deepEqual(result, { claims: [], diagnostics: [] });
  });

  // Whether the app-root location reaches a Service: an Exact path only when it is the location itself.
  const appRootTargets: Array<[string, PathSpec, string, boolean]> = [
    ['an Exact path equal to the location', ['/en', 'd', 80, 'Exact'], '/en', true],
    ['an Exact path above the location', ['/en', 'd', 80, 'Exact'], '/en/home', false],
    ['an Exact path with a trailing slash', ['/en/', 'd', 80, 'Exact'], '/en', false],
    ['a Prefix path above the location', ['/en', 'd', 80, 'Prefix'], '/en/home', true],
    ['the Prefix path /', ['/', 'd', 80, 'Prefix'], '/en', true],
    ['a Prefix path that only shares the first letters', ['/e', 'd', 80, 'Prefix'], '/en', false],
  ];
  for (const [what, path, location, served] of appRootTargets) {
    it(`${served ? 'accepts' : 'warns about'} an app root ${location} with ${what}`, () => {
      const result = normalize(
        ingress(
          { rules: [rule('docs.example.com', [path])] },
          { 'virtual-server.f5.com/rewrite-app-root': `docs.example.com=${location}` },
        ),
      );
      assert.deepEqual(
        result.claims[0]?.redirects?.map((r) => [r.host, r.location]),
        [['docs.example.com', location]],
      );
      const warning = `"docs.example.com=${location}": no path of this Ingress routes ${location} for docs.example.com, so redirected requests reach no Service`;
      assert.deepEqual(
        result.diagnostics.map((d) => d.message),
        served ? [] : [warning],
      );
    });
  }
});
