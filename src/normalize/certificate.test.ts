import assert from 'node:assert/strict';
import type { Secret } from '../kube/types.js';
import { tlsSecret } from '../../test/support/fixtures.js';
import { API_CERT, API_KEY, LEGACY_CERT, SHOP_CERT, SHOP_KEY, TEST_CA_CERT, WILDCARD_CERT, WILDCARD_KEY } from '../../test/support/certificates.js';
import { caBundleFromSecret, certificateFromSecret, certificateHosts, hostCoveredBy, secretText, splitCertificateChain } from './certificate.js';

describe('certificateHosts', () => {
  const cases: Array<[string, string, string[]]> = [
    ['DNS subject alternative names', SHOP_CERT, ['shop.example.com', 'www.shop.example.com']],
    ['a wildcard name', WILDCARD_CERT, ['*.example.com']],
    ['the common name when there is no SAN', LEGACY_CERT, ['legacy.example.com']],
    ['the first certificate of a chain', API_CERT + TEST_CA_CERT, ['api.example.com']],
  ];
  for (const [what, pem, names] of cases) {
    it(`reads ${what}`, () => assert.deepEqual(certificateHosts(pem), { names }));
  }

  it('says when the text holds no certificate', () => {
    assert.deepEqual(certificateHosts('not a certificate'), { error: 'holds no PEM certificate' });
  });

  it('says when the PEM block is not a certificate', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const result = certificateHosts(broken);
    assert.ok('error' in result);
    assert.match(result.error, /is not a valid X\.509 certificate/);
  });
});

describe('hostCoveredBy', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['shop.example.com', ['shop.example.com'], true],
    ['SHOP.Example.com', ['shop.example.com'], true],
    ['other.example.com', ['shop.example.com'], false],
    ['a.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['a.b.example.com', ['*.example.com'], false],
    ['aexample.com', ['*.example.com'], false],
    ['*.example.com', ['*.example.com'], true],
    ['*.example.com', ['a.example.com'], false],
    ['*.a.example.com', ['*.example.com'], false],
    ['x.com', [], false],
  ];
  for (const [host, names, covered] of cases) {
    it(`${host} ${covered ? 'is' : 'is not'} covered by [${names.join(', ')}]`, () => assert.equal(hostCoveredBy(host, names), covered));
  }
});

describe('splitCertificateChain', () => {
  it('keeps a single certificate without chain', () => {
    assert.deepEqual(splitCertificateChain(SHOP_CERT), { certificate: SHOP_CERT });
  });

  it('splits the server certificate from the chain that follows it', () => {
    assert.deepEqual(splitCertificateChain(`${API_CERT}\n${TEST_CA_CERT}`), { certificate: API_CERT, chainCA: TEST_CA_CERT });
  });

  it('names the chain certificate that does not parse', () => {
    const result = splitCertificateChain(`${API_CERT}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    assert.ok('error' in result);
    assert.match(result.error, /^certificate 2 is not a valid X\.509 certificate/);
  });
});

describe('secretText', () => {
  it('decodes base64 data values as the API serves them', () => {
    assert.equal(secretText(tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT }), 'tls.crt'), SHOP_CERT);
  });

  it('prefers stringData, as the API server does when it stores the Secret', () => {
    const secret = { ...tlsSecret('ns', 's', { 'tls.crt': 'old' }), stringData: { 'tls.crt': SHOP_CERT } } as Secret;
    assert.equal(secretText(secret, 'tls.crt'), SHOP_CERT);
  });

  it('treats absent and empty values as missing', () => {
    assert.equal(secretText(tlsSecret('ns', 's', { 'tls.crt': '' }), 'tls.crt'), undefined);
    assert.equal(secretText(tlsSecret('ns', 's', {}), 'tls.key'), undefined);
  });
});

describe('certificateFromSecret', () => {
  it('gives the certificate, key and names of a TLS Secret', () => {
    const result = certificateFromSecret(tlsSecret('ns', 'shop', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'ns', 'shop');
    assert.deepEqual(result, {
      material: { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY },
      names: ['shop.example.com', 'www.shop.example.com'],
    });
  });

  it('keeps the chain that follows the server certificate as chainCA', () => {
    const result = certificateFromSecret(tlsSecret('ns', 'api', { 'tls.crt': API_CERT + TEST_CA_CERT, 'tls.key': API_KEY }), 'ns', 'api');
    assert.ok(!('error' in result));
    assert.equal(result.material.certificate, API_CERT);
    assert.equal(result.material.chainCA, TEST_CA_CERT);
  });

  it('accepts stringData (manifests written by hand)', () => {
    const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name: 'w' } };
    (secret as { stringData?: Record<string, string> }).stringData = { 'tls.crt': WILDCARD_CERT, 'tls.key': WILDCARD_KEY };
    const result = certificateFromSecret(secret, 'ns', 'w');
    assert.ok(!('error' in result));
    assert.deepEqual(result.names, ['*.example.com']);
  });

  const bad: Array<[string, Secret | undefined, RegExp]> = [
    ['a missing Secret', undefined, /^Secret ns\/s was not found$/],
    ['a Secret without tls.key', tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT }), /^Secret ns\/s has no tls\.key$/],
    ['a Secret without tls.crt', tlsSecret('ns', 's', { 'tls.key': SHOP_KEY }), /^Secret ns\/s has no tls\.crt$/],
    [
      'PEM text under data that is not base64-encoded',
      { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name: 's' }, data: { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY } },
      /^Secret ns\/s tls\.crt holds no PEM certificate \(values under data must be base64-encoded/,
    ],
    ['a key that is not a key', tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': 'nope' }), /^Secret ns\/s tls\.key is not a PEM private key/],
    ['a key of another certificate', tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': WILDCARD_KEY }), /^Secret ns\/s tls\.key does not match the certificate in tls\.crt/],
    ['a chain in the wrong order', tlsSecret('ns', 's', { 'tls.crt': TEST_CA_CERT + API_CERT, 'tls.key': API_KEY }), /server certificate must come first/],
  ];
  for (const [what, secret, message] of bad) {
    it(`reports ${what}, naming the Secret and key`, () => {
      const result = certificateFromSecret(secret, 'ns', 's');
      assert.ok('error' in result);
      assert.match(result.error, message);
    });
  }
});

describe('caBundleFromSecret', () => {
  it('takes every certificate of tls.crt and needs no key', () => {
    const result = caBundleFromSecret(tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT + SHOP_CERT }), 'ns', 'ca');
    assert.deepEqual(result, { secret: 'ns/ca', bundle: TEST_CA_CERT + SHOP_CERT });
  });

  it('reports a missing Secret and a Secret without tls.crt', () => {
    assert.deepEqual(caBundleFromSecret(undefined, 'ns', 'ca'), { error: 'Secret ns/ca was not found' });
    assert.deepEqual(caBundleFromSecret(tlsSecret('ns', 'ca', {}), 'ns', 'ca'), { error: 'Secret ns/ca has no tls.crt' });
  });
});
