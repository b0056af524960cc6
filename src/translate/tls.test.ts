import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { CertificateMaterial, TlsModel } from '../model/tls.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import { API_CERT, API_KEY, SHOP_CERT, SHOP_KEY, TEST_CA_CERT, WILDCARD_CERT, WILDCARD_KEY } from '../../test/support/certificates.js';
import type { As3Object } from '../model/as3-types.js';
import { NameScope } from '../model/names.js';
import { translateTls } from './tls.js';

const source: ObjectRef = { kind: 'TLSProfile', namespace: 'a', name: 'x' };
const shop: CertificateMaterial = { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY };
const wild: CertificateMaterial = { secret: 'ns/wild', certificate: WILDCARD_CERT, privateKey: WILDCARD_KEY };
const api: CertificateMaterial = { secret: 'ns/api', certificate: API_CERT, privateKey: API_KEY, chainCA: TEST_CA_CERT };
const caBundle = { secret: 'ns/ca', bundle: TEST_CA_CERT };
const base = 'crd_10_1_1_1_443';

/**
 * Applications of the TLS objects the tests of translateTls made, each with a virtual pointing at
 * them: the last test of that block checks them against the official AS3 schema (or is skipped,
 * visibly, when the schema is absent).
 */
const forOfficialSchema: Array<Record<string, unknown>> = [];

/** Keeps the objects, with a virtual that points at them, for the official-schema test. */
function assertOfficialSchema(
  objects: Array<[string, As3Object]>,
  serverTLS: unknown,
  clientTLS: unknown,
  serviceClass = 'Service_HTTPS',
): void {
  const service: As3Object = { class: serviceClass, virtualAddresses: ['10.1.1.1'], virtualPort: 443 };
  if (serverTLS !== undefined) service['serverTLS'] = serverTLS;
  if (clientTLS !== undefined) service['clientTLS'] = clientTLS;
  forOfficialSchema.push({ [base]: service, ...Object.fromEntries(objects) });
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
    assert.deepEqual(
      out.objects.map(([name]) => name),
      [`${base}_cert_ns_api`, `${base}_cert_ns_wild`, `${base}_tls_server`],
    );
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
    const out = translateTls(
      { termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { caBundles: [caBundle] }, source },
      base,
      new NameScope(),
    );
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
      {
        termination: 'reencrypt',
        clientSide: { profiles: [{ bigip: '/Common/clientssl' }] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
        source,
      },
      { bigip: '/Common/clientssl' },
      { bigip: '/Common/serverssl' },
    ],
    [
      'several client-ssl profiles as a list the BIG-IP picks from by SNI',
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/a' }, { bigip: '/Common/b' }] }, source },
      [{ bigip: '/Common/a' }, { bigip: '/Common/b' }],
      undefined,
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
    const out = translateTls(
      {
        termination: 'reencrypt',
        clientSide: { certificates: [shop] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
        source,
      },
      base,
      new NameScope(),
    );
    assert.equal(out.serverTLS, `${base}_tls_server`);
    assert.deepEqual(out.clientTLS, { bigip: '/Common/serverssl' });
    assertOfficialSchema(out.objects, out.serverTLS, out.clientTLS);
  });

  it('gives only the pod side for plain-in, TLS-to-pods TransportServers', () => {
    const out = translateTls(
      { termination: 'reencrypt', serverSide: { caBundles: [caBundle, { secret: 'ns/ca2', bundle: SHOP_CERT }] }, source },
      base,
      new NameScope(),
    );
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
    const tls: TlsModel = {
      termination: 'edge',
      clientSide: { certificates: [shop, { ...wild, secret: `ns/${'w'.repeat(200)}` }] },
      source,
    };
    const first = translateTls(tls, longBase, new NameScope()).objects.map(([name]) => name);
    const again = translateTls(tls, longBase, new NameScope()).objects.map(([name]) => name);
    assert.deepEqual(first, again);
    for (const name of first) assert.match(name, /^[A-Za-z][0-9A-Za-z_]{0,63}$/);
    assert.equal(new Set(first).size, first.length);
    const taken = translateTls({ termination: 'edge', clientSide: { certificates: [shop] }, source }, base, scope);
    assert.notEqual(taken.serverTLS, `${base}_tls_server`);
    assert.match(String(taken.serverTLS), /^crd_10_1_1_1_443_tls_server_[0-9a-f]{8}$/);
  });

  it('gives objects the official AS3 schema accepts, in every case above', function () {
    assert.ok(forOfficialSchema.length >= 10, `only ${forOfficialSchema.length} cases were kept`);
    for (const objects of forOfficialSchema) assertOfficialApplicationValid(this, objects, JSON.stringify(objects[base]));
  });
});
