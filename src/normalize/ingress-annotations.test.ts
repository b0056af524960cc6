import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import { FieldReader, annotationField } from './fields.js';
import { parseHostPath, readIngressAnnotations } from './ingress-annotations.js';
import type { IngressAnnotations, IngressDefaults } from './ingress-annotations.js';

const ref: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };
const IP = 'virtual-server.f5.com/ip';

function read(
  annotations: Record<string, unknown>,
  defaults: IngressDefaults = { partition: 'k8s' },
  allocated?: string | false,
): { ann: IngressAnnotations; r: FieldReader } {
  const r = new FieldReader(ref);
  const ann = readIngressAnnotations(r, { [IP]: '10.1.10.50', ...annotations }, defaults, allocated);
  return { ann, r };
}

function readClean(annotations: Record<string, unknown>): IngressAnnotations {
  const { ann, r } = read(annotations);
  assert.deepEqual(r.diagnostics, []);
  return ann;
}

describe('readIngressAnnotations', () => {
  it('defaults: ports 80/443, the default partition, redirect to HTTPS, nothing else', () => {
    assert.deepEqual(readClean({}), {
      listener: { address: '10.1.10.50', partition: 'k8s', httpPort: 80, httpsPort: 443 },
      health: [],
      urlRewrites: [],
      appRoots: [],
      sslRedirect: true,
      allowHttp: false,
    });
  });

  const good: Array<[string, Record<string, unknown>, Partial<IngressAnnotations>]> = [
    [
      'an address in a route domain',
      { [IP]: '10.1.10.50%2' },
      { listener: { address: '10.1.10.50%2', partition: 'k8s', httpPort: 80, httpsPort: 443 } },
    ],
    [
      'an IPv6 address, partition and ports',
      {
        [IP]: '2001:db8::10',
        'virtual-server.f5.com/partition': 'prod',
        'virtual-server.f5.com/http-port': '8080',
        'virtual-server.f5.com/https-port': '8443',
      },
      { listener: { address: '2001:db8::10', partition: 'prod', httpPort: 8080, httpsPort: 8443 } },
    ],
    ['balance', { 'virtual-server.f5.com/balance': 'least-connections-member' }, { loadBalancingMode: 'least-connections-member' }],
    [
      'allow-source-range (single addresses become /32, sorted, de-duplicated)',
      { 'virtual-server.f5.com/allow-source-range': '192.168.1.5, 10.0.0.0/8,10.0.0.0/8' },
      { allowSourceRange: ['10.0.0.0/8', '192.168.1.5/32'] },
    ],
    [
      'the older whitelist-source-range',
      { 'virtual-server.f5.com/whitelist-source-range': '2001:db8::/32' },
      { allowSourceRange: ['2001:db8::/32'] },
    ],
    [
      'clientssl as a BIG-IP path',
      { 'virtual-server.f5.com/clientssl': '/Common/clientssl' },
      { clientSsl: [{ bigip: '/Common/clientssl' }] },
    ],
    [
      'clientssl as JSON',
      {
        'virtual-server.f5.com/clientssl':
          '[{"hosts":["a.example.com"],"bigIpProfile":"/Common/a"},{"hosts":["b.example.com"],"bigIpProfile":"/Common/b"}]',
      },
      { clientSsl: [{ bigip: '/Common/a' }, { bigip: '/Common/b' }] },
    ],
    [
      'serverssl and waf',
      { 'virtual-server.f5.com/serverssl': '/Common/serverssl', 'virtual-server.f5.com/waf': '/Common/WAF_Policy' },
      { serverSsl: { bigip: '/Common/serverssl' }, waf: { bigip: '/Common/WAF_Policy' } },
    ],
    [
      'ssl-redirect false and allow-http true',
      { 'ingress.kubernetes.io/ssl-redirect': 'false', 'ingress.kubernetes.io/allow-http': 'True' },
      { sslRedirect: false, allowHttp: true },
    ],
    [
      'rewrite-target-url pairs',
      {
        'virtual-server.f5.com/rewrite-target-url':
          'old.example.com/contact=new.example.com/about, old.example.com/docs=/help,Old.Example.com=new.example.com',
      },
      {
        urlRewrites: [
          {
            text: 'old.example.com/contact=new.example.com/about',
            target: { host: 'old.example.com', path: '/contact' },
            hostRewrite: 'new.example.com',
            rewrite: '/about',
          },
          { text: 'old.example.com/docs=/help', target: { host: 'old.example.com', path: '/docs' }, rewrite: '/help' },
          { text: 'Old.Example.com=new.example.com', target: { host: 'old.example.com', path: '/' }, hostRewrite: 'new.example.com' },
        ],
      },
    ],
    [
      'a single rewrite-target-url value',
      { 'virtual-server.f5.com/rewrite-target-url': 'new.example.com' },
      {
        urlRewrites: [{ text: 'new.example.com', target: 'every-route', hostRewrite: 'new.example.com' }],
      },
    ],
    [
      'rewrite-app-root pairs',
      { 'virtual-server.f5.com/rewrite-app-root': 'docs.example.com=/en,shop.example.com/=/store' },
      {
        appRoots: [
          { text: 'docs.example.com=/en', target: { host: 'docs.example.com' }, location: '/en' },
          { text: 'shop.example.com/=/store', target: { host: 'shop.example.com' }, location: '/store' },
        ],
      },
    ],
    [
      'a single rewrite-app-root value',
      { 'virtual-server.f5.com/rewrite-app-root': '/home' },
      { appRoots: [{ text: '/home', target: 'every-host', location: '/home' }] },
    ],
    [
      'health monitors',
      {
        'virtual-server.f5.com/health': JSON.stringify([
          { path: 'shop.example.com/cart/', send: 'GET /cart/health HTTP/1.0\r\n\r\n', recv: 'ok', interval: 5, timeout: 16 },
          { path: '*/', type: 'https', sslProfile: '/Common/serverssl' },
          { path: '/api', type: 'tcp' },
          { path: 'shop.example.com/', name: '/Common/http_head_f5', reference: 'bigip' },
        ]),
      },
      {
        health: [
          {
            text: 'shop.example.com/cart/',
            index: 0,
            target: { host: 'shop.example.com', path: '/cart' },
            monitor: { type: 'http', send: 'GET /cart/health HTTP/1.0\r\n\r\n', receive: 'ok', interval: 5, timeout: 16 },
          },
          { text: '*/', index: 1, target: { path: '/' }, monitor: { type: 'https', sslProfile: '/Common/serverssl' } },
          { text: '/api', index: 2, target: { path: '/api' }, monitor: { type: 'tcp' } },
          {
            text: 'shop.example.com/',
            index: 3,
            target: { host: 'shop.example.com', path: '/' },
            monitor: { bigip: '/Common/http_head_f5' },
          },
        ],
      },
    ],
  ];
  for (const [what, annotations, expected] of good) {
    it(`reads ${what}`, () => {
      const ann = readClean(annotations);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(ann[key as keyof IngressAnnotations], value, key);
    });
  }

  const field = (name: string): string => annotationField(`virtual-server.f5.com/${name}`);

  const addresses: Array<[string, Record<string, unknown>, IngressDefaults, string | false | undefined, string | undefined]> = [
    ["the annotation's address over the default", {}, { partition: 'k8s', address: '10.9.9.9' }, undefined, '10.1.10.50'],
    [
      'the default address without the annotation (CIS --default-ingress-ip)',
      { [IP]: undefined },
      { partition: 'k8s', address: '10.9.9.9' },
      undefined,
      '10.9.9.9',
    ],
    [
      'the default address for controller-default',
      { [IP]: 'controller-default' },
      { partition: 'k8s', address: '10.9.9.9' },
      undefined,
      '10.9.9.9',
    ],
    ['the IPAM address for controller-default', { [IP]: 'controller-default' }, { partition: 'k8s' }, '10.5.0.1', '10.5.0.1'],
    ['no address when IPAM failed (and said why)', { [IP]: undefined }, { partition: 'k8s' }, false, undefined],
  ];
  for (const [what, annotations, defaults, allocated, expected] of addresses) {
    it(`takes ${what}`, () => {
      const { ann, r } = read(annotations, defaults, allocated);
      assert.equal(ann.listener?.address, expected);
      assert.deepEqual(r.diagnostics, []);
    });
  }

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['no address', { [IP]: undefined }, field('ip'), /is required: set it to the virtual address/],
    [
      'controller-default',
      { [IP]: 'controller-default' },
      field('ip'),
      /^controller-default asks for the default Ingress address, and none is configured: set it to .* or configure defaultIngressAddress .* or defaultIngressIpamLabel/,
    ],
    ['a host name as address', { [IP]: 'shop.example.com' }, field('ip'), /"shop\.example\.com" is not an IPv4 or IPv6 address/],
    ['partition Common', { 'virtual-server.f5.com/partition': 'Common' }, field('partition'), /Common partition is reserved/],
    ['a port out of range', { 'virtual-server.f5.com/http-port': '70000' }, field('http-port'), /^70000 is not a port number \(1-65535\)$/],
    ['a port name', { 'virtual-server.f5.com/https-port': 'https' }, field('https-port'), /^"https" is not a port number \(1-65535\)$/],
    [
      'an unknown balance',
      { 'virtual-server.f5.com/balance': 'fastest' },
      field('balance'),
      /"fastest" is not a BIG-IP load-balancing method/,
    ],
    [
      'health that is not JSON',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/"}, }]' },
      field('health'),
      /^is not valid JSON: unexpected "}" at line 1, column 22 \(position 21\); expected a JSON array of monitors, such as \[\{"path": /,
    ],
    [
      'health cut short',
      { 'virtual-server.f5.com/health': '[{"path":\n "a.com/"' },
      field('health'),
      /^is not valid JSON: unexpected end of text at line 2, column 10 \(position 19\)/,
    ],
    [
      'health that is not a list',
      { 'virtual-server.f5.com/health': '{"path": "a.com/"}' },
      field('health'),
      /^must be a JSON array of monitors/,
    ],
    [
      'a health entry that is not an object',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/"}, "a.com/"]' },
      field('health'),
      /^\[1\]: must be an object such as \{"path": /,
    ],
    [
      'a health path without /',
      { 'virtual-server.f5.com/health': '[{"path": "a.com"}]' },
      field('health'),
      /^\[0\]\.path: "a\.com" must be the host and path of an Ingress rule/,
    ],
    [
      'a health interval as text',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/", "interval": "5"}]' },
      field('health'),
      /^\[0\]\.interval: "5" must be a whole number of seconds between 1 and 86400$/,
    ],
    [
      'a health timeout of 0 under the interval',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/", "interval": 5, "timeout": 0}]' },
      field('health'),
      /^\[0\]\.timeout: 0 must be a whole number of seconds/,
    ],
    [
      'an unknown health type',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/"}, {"path": "b.com/", "type": "icmp"}]' },
      field('health'),
      /^\[1\]\.type: "icmp" must be one of http, https, tcp, udp$/,
    ],
    [
      'a health sslProfile that is no path',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/", "type": "https", "sslProfile": "serverssl"}]' },
      field('health'),
      /^\[0\]\.sslProfile: "serverssl" must be the path of a BIG-IP server-ssl profile/,
    ],
    [
      'a rewrite entry without =',
      { 'virtual-server.f5.com/rewrite-target-url': 'a.com/x=/y,b.com' },
      field('rewrite-target-url'),
      /"b\.com" must be written host\/path=target/,
    ],
    [
      'a rewrite key that is no host',
      { 'virtual-server.f5.com/rewrite-target-url': 'a_b/x=/y' },
      field('rewrite-target-url'),
      /"a_b\/x" in "a_b\/x=\/y" must be the host and path of an Ingress rule/,
    ],
    [
      'a rewrite target with a query',
      { 'virtual-server.f5.com/rewrite-target-url': 'a.com/x=/y?z=1' },
      field('rewrite-target-url'),
      /"a\.com\/x=\/y\?z=1" must be written/,
    ],
    [
      'a rewrite target with Tcl characters',
      { 'virtual-server.f5.com/rewrite-target-url': 'a.com/x=/[exec]' },
      field('rewrite-target-url'),
      /"\/\[exec\]" must be a path starting with \//,
    ],
    [
      'an app root naming a host',
      { 'virtual-server.f5.com/rewrite-app-root': 'docs.example.com=docs.example.com/en' },
      field('rewrite-app-root'),
      /"docs\.example\.com\/en" in .* must be a path such as \/home/,
    ],
    [
      'an app root key with a path',
      { 'virtual-server.f5.com/rewrite-app-root': 'docs.example.com/x=/en' },
      field('rewrite-app-root'),
      /applies to \/ of a host; write docs\.example\.com=\/path/,
    ],
    [
      'a bad source range',
      { 'virtual-server.f5.com/allow-source-range': '10.0.0.0/8,10.0.0.0/33' },
      field('allow-source-range'),
      /"10\.0\.0\.0\/33" is not a CIDR/,
    ],
    [
      'a bad older source range',
      { 'virtual-server.f5.com/whitelist-source-range': 'anywhere' },
      field('whitelist-source-range'),
      /"anywhere" is not a CIDR/,
    ],
    [
      'clientssl that is no path',
      { 'virtual-server.f5.com/clientssl': 'clientssl' },
      field('clientssl'),
      /"clientssl" must be the full path/,
    ],
    [
      'clientssl JSON without bigIpProfile',
      { 'virtual-server.f5.com/clientssl': '[{"hosts": ["a.com"]}]' },
      field('clientssl'),
      /\[0\] must be an object with bigIpProfile/,
    ],
    [
      'clientssl with bad JSON',
      { 'virtual-server.f5.com/clientssl': '[{"bigIpProfile": /Common/x}]' },
      field('clientssl'),
      /^is not valid JSON: unexpected "\/" at line 1, column 19 \(position 18\); expected a BIG-IP profile path or a JSON array/,
    ],
    [
      'serverssl that is no path',
      { 'virtual-server.f5.com/serverssl': 'my-secret' },
      field('serverssl'),
      /"my-secret" must be the full path/,
    ],
    ['waf that is no path', { 'virtual-server.f5.com/waf': 'WAF_Policy' }, field('waf'), /"WAF_Policy" must be the full path/],
    [
      'ssl-redirect yes',
      { 'ingress.kubernetes.io/ssl-redirect': 'yes' },
      annotationField('ingress.kubernetes.io/ssl-redirect'),
      /"yes" must be "true" or "false"/,
    ],
    [
      'allow-http 2',
      { 'ingress.kubernetes.io/allow-http': '2' },
      annotationField('ingress.kubernetes.io/allow-http'),
      /"2" must be "true" or "false"/,
    ],
  ];
  for (const [what, annotations, where, message] of bad) {
    it(`rejects ${what} on ${where}`, () => {
      const { r } = read(annotations);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(r.diagnostics));
      assert.equal(errors[0]?.field, where);
      assert.match(errors[0]?.message ?? '', message);
    });
  }

  const warnings: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'both source-range annotations',
      { 'virtual-server.f5.com/allow-source-range': '10.0.0.0/8', 'virtual-server.f5.com/whitelist-source-range': '192.168.0.0/16' },
      field('whitelist-source-range'),
      /ignored: virtual-server\.f5\.com\/allow-source-range is also set/,
    ],
    [
      'a CIS annotation kube-as3 does not translate',
      { 'virtual-server.f5.com/translate-server-address': 'true' },
      field('translate-server-address'),
      /is not supported .* and was ignored/,
    ],
    [
      'a health timeout not above the interval',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/", "interval": 5, "timeout": 5}]' },
      field('health'),
      /^\[0\]\.timeout: 5 is not greater than interval \(5s\): .*set timeout to more than the interval, such as 3 × interval \+ 1 \(16\)$/,
    ],
    [
      'an sslProfile on an http monitor',
      { 'virtual-server.f5.com/health': '[{"path": "a.com/", "sslProfile": "/Common/serverssl"}]' },
      field('health'),
      /^\[0\]\.sslProfile: ignored: only https monitors use a server-ssl profile; remove it, or set type: https$/,
    ],
  ];
  for (const [what, annotations, where, message] of warnings) {
    it(`warns about ${what}`, () => {
      const { r } = read(annotations);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.field]),
        [['warning', where]],
      );
      assert.match(r.diagnostics[0]?.message ?? '', message);
    });
  }

  it('keeps a health timeout equal to the interval, as CIS examples write it', () => {
    const { ann } = read({ 'virtual-server.f5.com/health': '[{"path": "a.com/", "send": "GET /", "interval": 5, "timeout": 5}]' });
    assert.deepEqual(
      ann.health.map((h) => h.monitor),
      [{ type: 'http', send: 'GET /', interval: 5, timeout: 5 }],
    );
  });

  it('prefers allow-source-range over the older annotation', () => {
    const { ann } = read({
      'virtual-server.f5.com/allow-source-range': '10.0.0.0/8',
      'virtual-server.f5.com/whitelist-source-range': '192.168.0.0/16',
    });
    assert.deepEqual(ann.allowSourceRange, ['10.0.0.0/8']);
  });

  it('gives values the official AS3 schema accepts (pool mode, monitor, WAF policy)', function () {
    const ann = readClean({
      'virtual-server.f5.com/balance': 'ratio-least-connections-member',
      'virtual-server.f5.com/waf': '/Common/WAF_Policy',
      'virtual-server.f5.com/health':
        '[{"path": "a.com/", "type": "https", "send": "GET /", "recv": "ok", "interval": 5, "timeout": 16, "sslProfile": "/Common/serverssl"}]',
    });
    const monitor = ann.health[0]?.monitor;
    assert.ok(monitor && 'type' in monitor);
    assertOfficialApplicationValid(this, {
      mon: {
        class: 'Monitor',
        monitorType: monitor.type,
        send: monitor.send,
        receive: monitor.receive,
        interval: monitor.interval,
        timeout: monitor.timeout,
        clientTLS: { bigip: monitor.sslProfile },
      },
      pool: { class: 'Pool', loadBalancingMode: ann.loadBalancingMode, monitors: [{ use: 'mon' }] },
      vs: { class: 'Service_HTTP', virtualAddresses: [ann.listener?.address], pool: 'pool', policyWAF: ann.waf },
    });
  });
});

describe('parseHostPath', () => {
  const cases: Array<[string, ReturnType<typeof parseHostPath>]> = [
    ['shop.example.com/cart/', { host: 'shop.example.com', path: '/cart' }],
    ['Shop.Example.com', { host: 'shop.example.com', path: '/' }],
    ['*.example.com/a//b', { host: '*.example.com', path: '/a/b' }],
    ['*/', { path: '/' }],
    ['/api', { path: '/api' }],
    ['bad host/x', undefined],
    ['a.com/x y', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseHostPath(text), expected));
  }
});
