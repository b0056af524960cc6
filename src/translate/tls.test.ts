import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { CertificateMaterial, TlsModel } from '../model/tls.js';
import { officialApplicationErrors } from '../../test/support/as3-validation.js';
import { API_CERT, API_KEY, SHOP_CERT, SHOP_KEY, TEST_CA_CERT, WILDCARD_CERT, WILDCARD_KEY } from '../../test/support/certificates.js';
import type { As3Object } from './as3-types.js';
import { NameScope } from './names.js';
import { mergeTls, tlsSettingsIgnored, translateTls } from './tls.js';

const source: ObjectRef = { kind: 'TLSProfile', namespace: 'a', name: 'x' };
const other: ObjectRef = { kind: 'TLSProfile', namespace: 'b', name: 'y' };
const shop: CertificateMaterial = { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY };
const wild: CertificateMaterial = { secret: 'ns/wild', certificate: WILDCARD_CERT, privateKey: WILDCARD_KEY };
const api: CertificateMaterial = { secret: 'ns/api', certificate: API_CERT, privateKey: API_KEY, chainCA: TEST_CA_CERT };
const caBundle = { secret: 'ns/ca', bundle: TEST_CA_CERT };
const base = 'crd_10_1_1_1_443';

/** The objects in a declaration whose virtual points at them, checked against the official AS3 schema. */
function assertOfficialSchema(objects: Array<[string, As3Object]>, serverTLS: unknown, clientTLS: unknown, serviceClass = 'Service_HTTPS'): void {
  const service: As3Object = { class: serviceClass, virtualAddresses: ['10.1.1.1'], virtualPort: 443 };
  if (serverTLS !== undefined) service['serverTLS'] = serverTLS;
  if (clientTLS !== undefined) service['clientTLS'] = clientTLS;
  const errors = officialApplicationErrors({ [base]: service, ...Object.fromEntries(objects) });
  if (errors !== undefined) assert.equal(errors, '');
}

describe('translateTls', () => {
  it('makes a Certificate and a TLS_Server for a certificate from a Secret', () => {
    const out = translateTls({ termination: 'edge', clientSide: { certificates: [shop] }, source }, base, new NameScope());
    assert.deepEqual(out, {
      objects: [
        [`${base}_cert_ns_shop`, { class: 'Certificate', certificate: SHOP_CERT, privateKey: SHOP_KEY }],
        [`${base}_tls_server`, { class: 'TLS_Server', certificates: [{ certificate: `${base}_cert_ns_shop` }] }],
      ],
      serverTLS: `${base}_tls_server`,
    });
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
  });

  it('lists several certificates for SNI, the first the default, and keeps the chain', () => {
    const out = translateTls({ termination: 'edge', clientSide: { certificates: [api, wild] }, source }, base, new NameScope());
    assert.deepEqual(out.objects.map(([name]) => name), [`${base}_cert_ns_api`, `${base}_cert_ns_wild`, `${base}_tls_server`]);
    assert.deepEqual(out.objects[0]?.[1], { class: 'Certificate', certificate: API_CERT, privateKey: API_KEY, chainCA: TEST_CA_CERT });
    assert.deepEqual(out.objects[2]?.[1]['certificates'], [
      { certificate: `${base}_cert_ns_api`, sniDefault: true },
      { certificate: `${base}_cert_ns_wild` },
    ]);
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
  });

  const ciphers: Array<[string, Partial<TlsModel>, Record<string, unknown>]> = [
    [
      'a TLS 1.3 cipher group and disabled versions',
      { cipher: { cipherGroup: { bigip: '/Common/f5-default' }, tls1_3Enabled: true, disabledVersions: ['1.0', '1.1'] } },
      { cipherGroup: { bigip: '/Common/f5-default' }, tls1_3Enabled: true, tls1_0Enabled: false, tls1_1Enabled: false },
    ],
    ['a cipher string', { cipher: { ciphers: 'DEFAULT:!RC4' } }, { ciphers: 'DEFAULT:!RC4' }],
    ['renegotiation turned off', { renegotiationEnabled: false }, { renegotiationEnabled: false }],
  ];
  for (const [what, settings, expected] of ciphers) {
    it(`puts ${what} on the TLS_Server`, () => {
      const out = translateTls({ termination: 'edge', clientSide: { certificates: [shop] }, ...settings, source }, base, new NameScope());
      assert.deepEqual(out.objects[1]?.[1], { class: 'TLS_Server', certificates: [{ certificate: `${base}_cert_ns_shop` }], ...expected });
      assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
    });
  }

  it('re-encrypts with a TLS_Client that verifies the pods against the CA bundle from the Secret', () => {
    const out = translateTls({ termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { caBundles: [caBundle] }, source }, base, new NameScope());
    assert.deepEqual(out.objects.slice(2), [
      [`${base}_ca_bundle`, { class: 'CA_Bundle', bundle: TEST_CA_CERT }],
      [`${base}_tls_client`, { class: 'TLS_Client', trustCA: { use: `${base}_ca_bundle` }, validateCertificate: true }],
    ]);
    assert.equal(out.serverTLS, `${base}_tls_server`);
    assert.equal(out.clientTLS, `${base}_tls_client`);
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
  });

  const profiles: Array<[string, TlsModel, unknown, unknown]> = [
    [
      'one client-ssl and one server-ssl profile as plain references',
      { termination: 'reencrypt', clientSide: { profiles: [{ bigip: '/Common/clientssl' }] }, serverSide: { profiles: [{ bigip: '/Common/serverssl' }] }, source },
      { bigip: '/Common/clientssl' }, { bigip: '/Common/serverssl' },
    ],
    [
      'several client-ssl profiles as a list the BIG-IP picks from by SNI',
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/a' }, { bigip: '/Common/b' }] }, source },
      [{ bigip: '/Common/a' }, { bigip: '/Common/b' }], undefined,
    ],
  ];
  for (const [what, tls, serverTLS, clientTLS] of profiles) {
    it(`points the virtual at BIG-IP profiles: ${what}`, () => {
      const out = translateTls(tls, base, new NameScope());
      assert.deepEqual(out, { objects: [], serverTLS, ...(clientTLS === undefined ? {} : { clientTLS }) });
      assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
    });
  }

  it('mixes a certificate from a Secret with a BIG-IP server-ssl profile (hybrid)', () => {
    const out = translateTls({ termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { profiles: [{ bigip: '/Common/serverssl' }] }, source }, base, new NameScope());
    assert.equal(out.serverTLS, `${base}_tls_server`);
    assert.deepEqual(out.clientTLS, { bigip: '/Common/serverssl' });
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
  });

  it('gives only the pod side for plain-in, TLS-to-pods TransportServers', () => {
    const out = translateTls({ termination: 'reencrypt', serverSide: { caBundles: [caBundle, { secret: 'ns/ca2', bundle: SHOP_CERT }] }, source }, base, new NameScope());
    assert.equal(out.serverTLS, undefined);
    assert.equal(out.clientTLS, `${base}_tls_client`);
    assert.deepEqual(out.objects[0], [`${base}_ca_bundle`, { class: 'CA_Bundle', bundle: TEST_CA_CERT + SHOP_CERT }]);
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS, 'Service_TCP');
  });

  it('emits nothing for passthrough', () => {
    assert.deepEqual(translateTls({ termination: 'passthrough', source }, base, new NameScope()), { objects: [] });
  });

  it('keeps names valid, at most 64 characters, stable, and clear of names already taken', () => {
    const longBase = `vs_${'x'.repeat(70)}_443`;
    const scope = new NameScope();
    scope.claim(`${base}_tls_server`, 'something else');
    const tls: TlsModel = { termination: 'edge', clientSide: { certificates: [shop, { ...wild, secret: `ns/${'w'.repeat(200)}` }] }, source };
    const first = translateTls(tls, longBase, new NameScope()).objects.map(([name]) => name);
    const again = translateTls(tls, longBase, new NameScope()).objects.map(([name]) => name);
    assert.deepEqual(first, again);
    for (const name of first) assert.match(name, /^[A-Za-z][0-9A-Za-z_]{0,63}$/);
    assert.equal(new Set(first).size, first.length);
    const taken = translateTls({ termination: 'edge', clientSide: { certificates: [shop] }, source }, base, scope);
    assert.notEqual(taken.serverTLS, `${base}_tls_server`);
    assert.match(String(taken.serverTLS), /^crd_10_1_1_1_443_tls_server_[0-9a-f]{8}$/);
  });
});

describe('mergeTls', () => {
  it('serves the certificates of both, deduplicated, the owner\'s first, with the owner\'s settings, naming the settings not applied', () => {
    const owner: TlsModel = { termination: 'edge', clientSide: { certificates: [shop] }, cipher: { ciphers: 'DEFAULT' }, source };
    const newcomer: TlsModel = { termination: 'edge', clientSide: { certificates: [wild, shop] }, cipher: { ciphers: 'HIGH' }, renegotiationEnabled: false, source: other };
    assert.deepEqual(mergeTls(owner, newcomer), { termination: 'edge', clientSide: { certificates: [shop, wild] }, cipher: { ciphers: 'DEFAULT' }, source });
    assert.deepEqual(tlsSettingsIgnored(owner, newcomer), ['tlsCipher', 'renegotiationEnabled']);
  });

  it('combines BIG-IP client-ssl profiles', () => {
    const merged = mergeTls(
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/a' }] }, source },
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/b' }, { bigip: '/Common/a' }] }, source: other },
    );
    assert.deepEqual(merged, { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/a' }, { bigip: '/Common/b' }] }, source });
  });

  it('shares a re-encrypting virtual when the pod side is the same', () => {
    const serverSide = { profiles: [{ bigip: '/Common/serverssl' }] };
    const merged = mergeTls(
      { termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide, source },
      { termination: 'reencrypt', clientSide: { certificates: [wild] }, serverSide: { profiles: [{ bigip: '/Common/serverssl' }] }, source: other },
    );
    assert.deepEqual(merged, { termination: 'reencrypt', clientSide: { certificates: [shop, wild] }, serverSide, source });
  });

  it('shares a passthrough virtual', () => {
    const owner: TlsModel = { termination: 'passthrough', source };
    assert.equal(mergeTls(owner, { termination: 'passthrough', source: other }), owner);
  });

  const conflicts: Array<[string, TlsModel, TlsModel, RegExp]> = [
    [
      'different terminations',
      { termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { caBundles: [caBundle] }, source },
      { termination: 'edge', clientSide: { certificates: [wild] }, source: other },
      /^terminates TLS as edge but the virtual is reencrypt \(set by TLSProfile a\/x\)$/,
    ],
    [
      'passthrough on a terminating virtual',
      { termination: 'edge', clientSide: { certificates: [shop] }, source },
      { termination: 'passthrough', source: other },
      /^passes TLS through but the virtual terminates TLS as edge \(set by TLSProfile a\/x\)$/,
    ],
    [
      'termination on a passthrough virtual',
      { termination: 'passthrough', source },
      { termination: 'edge', clientSide: { certificates: [shop] }, source: other },
      /^terminates TLS as edge but the virtual passes TLS through \(set by TLSProfile a\/x\)$/,
    ],
    [
      'Secrets on a virtual with BIG-IP client-ssl profiles',
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/clientssl' }] }, source },
      { termination: 'edge', clientSide: { certificates: [shop] }, source: other },
      /^uses certificates from Secrets but the virtual uses BIG-IP client-ssl profiles \(set by TLSProfile a\/x\)$/,
    ],
    [
      'a different pod side',
      { termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { caBundles: [caBundle] }, source },
      { termination: 'reencrypt', clientSide: { certificates: [wild] }, serverSide: { profiles: [{ bigip: '/Common/serverssl' }] }, source: other },
      /^re-encrypts with BIG-IP server-ssl profile \/Common\/serverssl but the virtual uses the CA bundle of Secret ns\/ca \(set by TLSProfile a\/x\)$/,
    ],
  ];
  for (const [what, owner, newcomer, reason] of conflicts) {
    it(`refuses ${what}, saying why`, () => {
      const result = mergeTls(owner, newcomer);
      assert.equal(typeof result, 'string');
      assert.match(result as string, reason);
    });
  }
});

describe('tlsSettingsIgnored', () => {
  const edge = (settings: Partial<TlsModel>, from = source): TlsModel => ({ termination: 'edge', clientSide: { certificates: [shop] }, ...settings, source: from });
  const cases: Array<[string, Partial<TlsModel>, Partial<TlsModel>, string[]]> = [
    ['the same settings', { cipher: { ciphers: 'DEFAULT' }, renegotiationEnabled: false }, { cipher: { ciphers: 'DEFAULT' }, renegotiationEnabled: false }, []],
    ['no settings on either side', {}, {}, []],
    ['renegotiation left at its default and written as true', {}, { renegotiationEnabled: true }, []],
    ['a different cipher string', { cipher: { ciphers: 'DEFAULT' } }, { cipher: { ciphers: 'HIGH' } }, ['tlsCipher']],
    ['cipher settings only on the other resource', {}, { cipher: { tls1_3Enabled: true, cipherGroup: { bigip: '/Common/f5-default' } } }, ['tlsCipher']],
    ['different disabled versions', { cipher: { disabledVersions: ['1.0'] } }, { cipher: { disabledVersions: ['1.0', '1.1'] } }, ['tlsCipher']],
    ['a different cipher group', { cipher: { cipherGroup: { bigip: '/Common/a' } } }, { cipher: { cipherGroup: { bigip: '/Common/b' } } }, ['tlsCipher']],
    ['renegotiation turned off only by the owner', { renegotiationEnabled: false }, {}, ['renegotiationEnabled']],
  ];
  for (const [what, mine, theirs, expected] of cases) {
    it(`names ${expected.length === 0 ? 'nothing' : expected.join(' and ')} for ${what}`, () => {
      assert.deepEqual(tlsSettingsIgnored(edge(mine), edge(theirs, other)), expected);
    });
  }
});
