import assert from 'node:assert/strict';
import { refOf } from '../kube/refs.js';
import type { KubeObject, TLSProfile } from '../kube/types.js';
import type { BackendRef, VirtualGroup } from '../model/virtual.js';
import { groupClaims } from '../normalize/group.js';
import { normalizeTransportServer } from '../normalize/transport-server.js';
import { normalizeVirtualServer } from '../normalize/virtual-server.js';
import { assertOfficialSchemaValid, projectSchemaErrors } from '../../test/support/as3-validation.js';
import { SHOP_CERT, SHOP_KEY } from '../../test/support/certificates.js';
import { cisResource, contextFor, tlsSecret, transportServer, virtualServer } from '../../test/support/fixtures.js';
import { translateApplication } from './application.js';
import type { ApplicationResult, Membership } from './application.js';
import type { As3Object } from '../model/as3-types.js';
import { buildDeclaration, buildTenant } from './declaration.js';

/** The TLSProfiles (edge, reencrypt, passthrough) and the Secret the edge one serves, in namespace shop. */
const objects: KubeObject[] = [
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

/** The pods of each Service of namespace shop, in one cluster. */
const pods: Record<string, Array<{ address: string; port: number }>> = {
  web: [
    { address: '10.2.0.1', port: 8080 },
    { address: '10.2.0.2', port: 8080 },
  ],
  api: [{ address: '10.3.0.1', port: 9090 }],
  fallback: [{ address: '10.4.0.1', port: 8080 }],
  db: [{ address: '10.5.0.1', port: 5432 }],
};

/** One cluster: the members of a backend are its Service's pods. */
const membership: Membership = {
  mode: 'single',
  resolve: (b: BackendRef) => ({
    problems: [],
    clusters: [{ members: pods[b.service] ?? [], found: b.service in pods, ratio: 1, rank: 0 }],
  }),
};

/** The groups of a VirtualServer (or TransportServer), built as the planner builds them: normalize, then group. */
function groupsOf(kind: 'VirtualServer' | 'TransportServer', spec: Record<string, unknown>): VirtualGroup[] {
  const ctx = contextFor(objects);
  const normalized =
    kind === 'VirtualServer'
      ? ((vs) => normalizeVirtualServer(vs, refOf(vs), ctx))(virtualServer('shop', 'web', spec))
      : ((ts) => normalizeTransportServer(ts, refOf(ts), ctx))(transportServer('shop', 'db', spec));
  assert.deepEqual(normalized.diagnostics, []);
  const grouped = groupClaims(normalized.claims);
  assert.deepEqual(grouped.diagnostics, []);
  return grouped.groups;
}

/** The application's declaration: what the BIG-IP would get for it. */
function declarationOf(group: VirtualGroup, result: ApplicationResult): unknown {
  const tenant = buildTenant(new Map([[group.application, result.application]]), 'test', result.shared);
  return buildDeclaration(new Map([[group.partition, tenant]]), { schemaVersion: '3.56.0', instance: 'test' });
}

const objectsOf = (app: Record<string, unknown>): Array<[string, As3Object]> =>
  Object.entries(app).filter(
    (e): e is [string, As3Object] => typeof e[1] === 'object' && e[1] !== null && (e[1] as As3Object).class !== 'Constants',
  );

/** What a user relies on in an application, without its certificates' text or the policy's conditions. */
interface Shape {
  /** Every AS3 object but the provenance constants, in declaration order: `name class`. */
  objects: string[];
  /** The virtual's class, addresses, port and what it forwards to. */
  service: Record<string, unknown>;
  /** Each pool's members (`address:port`) and monitors. */
  pools: Record<string, { members: string[]; monitors?: unknown }>;
  /** Each Endpoint_Policy rule in match order: `name → pool` or `name → redirect code location`. */
  rules?: string[];
}

function shapeOf(app: Record<string, unknown>, virtualName: string): Shape {
  const all = objectsOf(app);
  const service = app[virtualName] as As3Object;
  const pick = [
    'class',
    'virtualAddresses',
    'virtualPort',
    'pool',
    'policyEndpoint',
    'serverTLS',
    'clientTLS',
    'redirect80',
    'persistenceMethods',
  ];
  const shape: Shape = {
    objects: all.map(([name, o]) => `${name} ${o.class}`),
    service: Object.fromEntries(pick.filter((k) => service[k] !== undefined).map((k) => [k, service[k]])),
    pools: Object.fromEntries(
      all
        .filter(([, o]) => o.class === 'Pool')
        .map(([name, o]) => {
          const members = (o['members'] as Array<{ servicePort: number; serverAddresses: string[] }>).flatMap((m) =>
            m.serverAddresses.map((a) => `${a}:${m.servicePort}`),
          );
          return [name, { members, ...(o['monitors'] ? { monitors: o['monitors'] } : {}) }];
        }),
    ),
  };
  const policy = all.find(([, o]) => o.class === 'Endpoint_Policy')?.[1];
  if (policy) {
    shape.rules = (policy['rules'] as Array<{ name: string; actions: Array<Record<string, unknown>> }>).map((rule) => {
      const action = rule.actions.find((a) => a['type'] === 'forward' || a['type'] === 'httpRedirect');
      const pool = (action?.['select'] as { pool?: { use: string } } | undefined)?.pool?.use;
      return `${rule.name} → ${pool ?? `redirect ${String(action?.['code'])} ${String(action?.['location'])}`}`;
    });
  }
  return shape;
}

const SHOP = { host: 'shop.example.com', virtualServerAddress: '10.1.1.1' };
const WEB = { path: '/', service: 'web', servicePort: 80 };
const API = { path: '/api', service: 'api', servicePort: 9090 };
const TO_HTTPS = 'tcl:https://[getfield [HTTP::host] ":" 1][HTTP::uri]';

/** Every declaration a case below made, for the official-schema test at the end. */
const forOfficialSchema: Array<[string, unknown]> = [];

describe('translateApplication: the AS3 application of a virtual group', () => {
  const cases: Array<[string, 'VirtualServer' | 'TransportServer', Record<string, unknown>, Shape[]]> = [
    [
      'a VirtualServer without host and one pool at /: the virtual forwards to the pool, no policy',
      'VirtualServer',
      { virtualServerAddress: '10.1.1.1', pools: [WEB] },
      [
        {
          objects: ['web_80_shop Pool', 'crd_10_1_1_1_80 Service_HTTP'],
          service: { class: 'Service_HTTP', virtualAddresses: ['10.1.1.1'], virtualPort: 80, pool: 'web_80_shop' },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] } },
        },
      ],
    ],
    [
      'a host with two pools: a pool per Service port, rules by host and path, the longer path first',
      'VirtualServer',
      { ...SHOP, pools: [WEB, API] },
      [
        {
          objects: ['web_80_shop Pool', 'api_9090_shop Pool', 'crd_10_1_1_1_80_policy Endpoint_Policy', 'crd_10_1_1_1_80 Service_HTTP'],
          service: { class: 'Service_HTTP', virtualAddresses: ['10.1.1.1'], virtualPort: 80, policyEndpoint: 'crd_10_1_1_1_80_policy' },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] }, api_9090_shop: { members: ['10.3.0.1:9090'] } },
          rules: ['r1_shop.example.com_api → api_9090_shop', 'r2_shop.example.com → web_80_shop'],
        },
      ],
    ],
    [
      'a pool monitor: a Monitor named after its pool, used by it',
      'VirtualServer',
      {
        virtualServerAddress: '10.1.1.1',
        pools: [{ ...WEB, monitor: { type: 'http', send: 'GET /', recv: 'ok', interval: 5, timeout: 16 } }],
      },
      [
        {
          objects: ['web_80_shop_http Monitor', 'web_80_shop Pool', 'crd_10_1_1_1_80 Service_HTTP'],
          service: { class: 'Service_HTTP', virtualAddresses: ['10.1.1.1'], virtualPort: 80, pool: 'web_80_shop' },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'], monitors: [{ use: 'web_80_shop_http' }] } },
        },
      ],
    ],
    [
      'an edge TLSProfile with httpTraffic: redirect: HTTPS with a Certificate and TLS_Server; HTTP only redirects',
      'VirtualServer',
      {
        ...SHOP,
        tlsProfileName: 'edge',
        httpTraffic: 'redirect',
        pools: [WEB, API],
      },
      [
        {
          objects: [
            'web_80_shop Pool',
            'api_9090_shop Pool',
            'crd_10_1_1_1_443_cert_shop_shop_cert Certificate',
            'crd_10_1_1_1_443_tls_server TLS_Server',
            'crd_10_1_1_1_443_policy Endpoint_Policy',
            'crd_10_1_1_1_443 Service_HTTPS',
          ],
          service: {
            class: 'Service_HTTPS',
            virtualAddresses: ['10.1.1.1'],
            virtualPort: 443,
            policyEndpoint: 'crd_10_1_1_1_443_policy',
            serverTLS: 'crd_10_1_1_1_443_tls_server',
            redirect80: false,
          },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] }, api_9090_shop: { members: ['10.3.0.1:9090'] } },
          rules: ['r1_shop.example.com_api → api_9090_shop', 'r2_shop.example.com → web_80_shop'],
        },
        {
          objects: ['crd_10_1_1_1_80_policy Endpoint_Policy', 'crd_10_1_1_1_80 Service_HTTP'],
          service: { class: 'Service_HTTP', virtualAddresses: ['10.1.1.1'], virtualPort: 80, policyEndpoint: 'crd_10_1_1_1_80_policy' },
          pools: {},
          rules: [`r1_shop.example.com_api → redirect 301 ${TO_HTTPS}`, `r2_shop.example.com → redirect 301 ${TO_HTTPS}`],
        },
      ],
    ],
    [
      "a defaultPool: the virtual's pool takes what no rule matches",
      'VirtualServer',
      {
        ...SHOP,
        pools: [API],
        defaultPool: { reference: 'service', service: 'fallback', servicePort: 8080 },
      },
      [
        {
          objects: [
            'api_9090_shop Pool',
            'fallback_8080_shop Pool',
            'crd_10_1_1_1_80_policy Endpoint_Policy',
            'crd_10_1_1_1_80 Service_HTTP',
          ],
          service: {
            class: 'Service_HTTP',
            virtualAddresses: ['10.1.1.1'],
            virtualPort: 80,
            pool: 'fallback_8080_shop',
            policyEndpoint: 'crd_10_1_1_1_80_policy',
          },
          pools: { api_9090_shop: { members: ['10.3.0.1:9090'] }, fallback_8080_shop: { members: ['10.4.0.1:8080'] } },
          rules: ['r1_shop.example.com_api → api_9090_shop'],
        },
      ],
    ],
    [
      'rewriteAppRoot: the redirect of exactly / comes before the / route (the first matching rule wins)',
      'VirtualServer',
      { ...SHOP, rewriteAppRoot: '/home', pools: [WEB] },
      [
        {
          objects: ['web_80_shop Pool', 'crd_10_1_1_1_80_policy Endpoint_Policy', 'crd_10_1_1_1_80 Service_HTTP'],
          service: { class: 'Service_HTTP', virtualAddresses: ['10.1.1.1'], virtualPort: 80, policyEndpoint: 'crd_10_1_1_1_80_policy' },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] } },
          rules: ['r1_shop.example.com_exact → redirect 302 /home', 'r2_shop.example.com → web_80_shop'],
        },
      ],
    ],
    [
      'a reencrypt TLSProfile of BIG-IP profiles: the virtual uses them, no TLS objects of its own',
      'VirtualServer',
      { ...SHOP, tlsProfileName: 'reencrypt', pools: [WEB] },
      [
        {
          objects: ['web_80_shop Pool', 'crd_10_1_1_1_443_policy Endpoint_Policy', 'crd_10_1_1_1_443 Service_HTTPS'],
          service: {
            class: 'Service_HTTPS',
            virtualAddresses: ['10.1.1.1'],
            virtualPort: 443,
            policyEndpoint: 'crd_10_1_1_1_443_policy',
            serverTLS: { bigip: '/Common/clientssl' },
            clientTLS: { bigip: '/Common/serverssl' },
            redirect80: false,
          },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] } },
          rules: ['r1_shop.example.com → web_80_shop'],
        },
      ],
    ],
    [
      'a passthrough TLSProfile: a Service_TCP routed by SNI, persisting on the TLS session',
      'VirtualServer',
      { ...SHOP, tlsProfileName: 'passthrough', pools: [WEB] },
      [
        {
          objects: ['web_80_shop Pool', 'crd_10_1_1_1_443_policy Endpoint_Policy', 'crd_10_1_1_1_443 Service_TCP'],
          service: {
            class: 'Service_TCP',
            virtualAddresses: ['10.1.1.1'],
            virtualPort: 443,
            policyEndpoint: 'crd_10_1_1_1_443_policy',
            persistenceMethods: ['tls-session-id'],
          },
          pools: { web_80_shop: { members: ['10.2.0.1:8080', '10.2.0.2:8080'] } },
          rules: ['r1_shop.example.com → web_80_shop'],
        },
      ],
    ],
    [
      'a TransportServer: a Service_TCP forwarding to its one pool',
      'TransportServer',
      {
        virtualServerAddress: '10.1.1.5',
        virtualServerPort: 5432,
        pool: { service: 'db', servicePort: 5432 },
      },
      [
        {
          objects: ['db_5432_shop Pool', 'crd_10_1_1_5_5432 Service_TCP'],
          service: { class: 'Service_TCP', virtualAddresses: ['10.1.1.5'], virtualPort: 5432, pool: 'db_5432_shop' },
          pools: { db_5432_shop: { members: ['10.5.0.1:5432'] } },
        },
      ],
    ],
  ];
  for (const [what, kind, spec, expected] of cases) {
    it(what, () => {
      const groups = groupsOf(kind, spec);
      const shapes = groups.map((group) => {
        const result = translateApplication(group, membership);
        assert.deepEqual(result.diagnostics, []);
        const declaration = declarationOf(group, result);
        assert.equal(projectSchemaErrors(declaration), '', 'must validate against the project schema');
        forOfficialSchema.push([what, declaration]);
        return shapeOf(result.application, group.virtualName);
      });
      assert.deepEqual(shapes, expected);
    });
  }

  it('names and orders everything the same way every time (a re-plan changes nothing)', () => {
    const spec = {
      ...SHOP,
      tlsProfileName: 'edge',
      httpTraffic: 'allow',
      rewriteAppRoot: '/home',
      pools: [WEB, API],
      defaultPool: { reference: 'service', service: 'fallback', servicePort: 8080 },
    };
    const once = groupsOf('VirtualServer', spec).map((g) => JSON.stringify(translateApplication(g, membership).application));
    const again = groupsOf('VirtualServer', spec).map((g) => JSON.stringify(translateApplication(g, membership).application));
    assert.deepEqual(again, once);
  });

  it("puts a serviceAddress in the tenant's Shared application and has the virtual use it", () => {
    const [group] = groupsOf('TransportServer', {
      virtualServerAddress: '10.1.1.5',
      virtualServerPort: 5432,
      pool: { service: 'db', servicePort: 5432 },
      serviceAddress: [{ icmpEcho: 'disable' }],
    });
    assert.ok(group);
    const result = translateApplication(group, membership);
    assert.deepEqual(result.shared, [
      ['crd_service_address_10_1_1_5', { class: 'Service_Address', virtualAddress: '10.1.1.5', icmpEcho: 'disable' }],
    ]);
    assert.deepEqual((result.application[group.virtualName] as As3Object)['virtualAddresses'], [
      { use: '/kubernetes/Shared/crd_service_address_10_1_1_5' },
    ]);
    const declaration = declarationOf(group, result);
    assert.equal(projectSchemaErrors(declaration), '');
    forOfficialSchema.push(['serviceAddress', declaration]);
  });

  it('every application above is valid against the official AS3 schema', function () {
    assert.ok(forOfficialSchema.length >= 10, `only ${forOfficialSchema.length} declarations were kept`);
    for (const [what, declaration] of forOfficialSchema) assertOfficialSchemaValid(this, declaration, what);
  });
});
