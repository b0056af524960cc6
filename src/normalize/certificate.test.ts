import assert from 'node:assert/strict';
import type { Secret } from '../kube/types.js';
import { tlsSecret } from '../../test/support/fixtures.js';
import {
  API_CERT,
  API_KEY,
  LEGACY_CERT,
  LEGACY_KEY,
  SHOP_CERT,
  SHOP_KEY,
  TEST_CA_CERT,
  WILDCARD_CERT,
  WILDCARD_KEY,
} from '../../test/support/certificates.js';
import { caBundleFromSecret, certificateFromSecret, hostCoveredBy } from './certificate.js';

// Test-only certificates (EC P-256, valid until 2126) for what test/support/certificates.ts lacks;
// both share QUOTED_KEY. NO_HOST: subject O=kube-as3 test, no CN, no SAN. QUOTED: SAN DNS
// "Odd,Name.example.com" (which Node prints quoted, as a JSON string) and Quoted.Example.com.
const NO_HOST_CERT = `-----BEGIN CERTIFICATE-----
MIIBhjCCAS2gAwIBAgIULFFWjCnIazoKBvnsnhKpxVvtLEMwCgYIKoZIzj0EAwIw
GDEWMBQGA1UECgwNa3ViZS1hczMgdGVzdDAgFw0yNjExMjExMjA0MDZaGA8yMTI2
MTAyODEyMDQwNlowGDEWMBQGA1UECgwNa3ViZS1hczMgdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABAGRtbZ4He7m4zzXX+23avMZVqlkzEcXLDuzz0X2MZWH
yyFDbCG2e2u4JbtiMv30nbIu3WDNzq7JHKPEP+PHAdmjUzBRMB0GA1UdDgQWBBTN
kW3OYt9Va20TxocxeWP3ld8sHjAfBgNVHSMEGDAWgBTNkW3OYt9Va20TxocxeWP3
ld8sHjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIFhv0JVVSHQl
LreZJ+ABMdYMly/UhgHYdyIgSnF+VfDmAiA8nphmtF3asx8DdD4DqzDCVQb0K98n
AgnXnaFtvqmsdw==
-----END CERTIFICATE-----
`;
const QUOTED_CERT = `-----BEGIN CERTIFICATE-----
MIIBkzCCATqgAwIBAgIUdSSM2Wfgg3FjYHQEXvWr7Xkm7tYwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwScXVvdGVkLmV4YW1wbGUuY29tMCAXDTI2MTEyMTEyMDQwOFoY
DzIxMjYxMDI4MTIwNDA4WjAdMRswGQYDVQQDDBJxdW90ZWQuZXhhbXBsZS5jb20w
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQBkbW2eB3u5uM811/tt2rzGVapZMxH
Fyw7s89F9jGVh8shQ2whtntruCW7YjL99J2yLt1gzc6uyRyjxD/jxwHZo1YwVDAz
BgNVHREELDAqghRPZGQsTmFtZS5leGFtcGxlLmNvbYISUXVvdGVkLkV4YW1wbGUu
Y29tMB0GA1UdDgQWBBTNkW3OYt9Va20TxocxeWP3ld8sHjAKBggqhkjOPQQDAgNH
ADBEAiA2otNfr0hPDYcPS4n3kC31LzXJFSOeH2iMqL02YE9umgIgJEvdeVIAxAys
06eBwON5T+FbHvr8slnY6Zu5m9IpzVk=
-----END CERTIFICATE-----
`;
const QUOTED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSLqqwj5FBSvFV+gT
lozYUDGDBAnyaJC0GRFnoCYom+OhRANCAAQBkbW2eB3u5uM811/tt2rzGVapZMxH
Fyw7s89F9jGVh8shQ2whtntruCW7YjL99J2yLt1gzc6uyRyjxD/jxwHZ
-----END PRIVATE KEY-----
`;
const CORRUPT_BLOCK = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

function stringDataSecret(
  data: Record<string, string>,
  base: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name: 's' } },
): Secret {
  return { ...base, stringData: data } as Secret;
}

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

describe('certificateFromSecret', () => {
  it('gives the certificate, key and names of a TLS Secret', () => {
    const result = certificateFromSecret(tlsSecret('ns', 'shop', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }), 'ns', 'shop');
    assert.deepEqual(result, {
      material: { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY },
      names: ['shop.example.com', 'www.shop.example.com'],
    });
  });

  const names: Array<[string, string, string, string[]]> = [
    ['a wildcard name', WILDCARD_CERT, WILDCARD_KEY, ['*.example.com']],
    ['the common name when there is no SAN', LEGACY_CERT, LEGACY_KEY, ['legacy.example.com']],
    ['the names of the first certificate of a chain', API_CERT + TEST_CA_CERT, API_KEY, ['api.example.com']],
    ['a DNS name Node prints quoted, unquoted and lower-cased', QUOTED_CERT, QUOTED_KEY, ['odd,name.example.com', 'quoted.example.com']],
  ];
  for (const [what, crt, key, expected] of names) {
    it(`reads ${what}`, () => {
      const result = certificateFromSecret(tlsSecret('ns', 's', { 'tls.crt': crt, 'tls.key': key }), 'ns', 's');
      assert.ok(!('error' in result), JSON.stringify(result));
      assert.deepEqual(result.names, expected);
    });
  }

  it('keeps the chain that follows the server certificate as chainCA', () => {
    const result = certificateFromSecret(
      tlsSecret('ns', 'api', { 'tls.crt': `${API_CERT}\n${TEST_CA_CERT}`, 'tls.key': API_KEY }),
      'ns',
      'api',
    );
    assert.ok(!('error' in result));
    assert.equal(result.material.certificate, API_CERT);
    assert.equal(result.material.chainCA, TEST_CA_CERT);
  });

  it('accepts stringData (manifests written by hand) and prefers it to data, as the API server does', () => {
    const handWritten = certificateFromSecret(stringDataSecret({ 'tls.crt': WILDCARD_CERT, 'tls.key': WILDCARD_KEY }), 'ns', 's');
    assert.ok(!('error' in handWritten));
    assert.deepEqual(handWritten.names, ['*.example.com']);
    const both = stringDataSecret({ 'tls.crt': SHOP_CERT }, tlsSecret('ns', 's', { 'tls.crt': LEGACY_CERT, 'tls.key': SHOP_KEY }));
    const result = certificateFromSecret(both, 'ns', 's');
    assert.ok(!('error' in result));
    assert.equal(result.material.certificate, SHOP_CERT);
  });

  const bad: Array<[string, Secret | undefined, RegExp]> = [
    ['a missing Secret', undefined, /^Secret ns\/s was not found$/],
    ['a Secret without tls.key', tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT }), /^Secret ns\/s has no tls\.key$/],
    ['a Secret without tls.crt', tlsSecret('ns', 's', { 'tls.key': SHOP_KEY }), /^Secret ns\/s has no tls\.crt$/],
    ['an empty tls.crt', tlsSecret('ns', 's', { 'tls.crt': '', 'tls.key': SHOP_KEY }), /^Secret ns\/s has no tls\.crt$/],
    [
      'PEM text under data that is not base64-encoded',
      { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name: 's' }, data: { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY } },
      /^Secret ns\/s tls\.crt holds no PEM certificate \(values under data must be base64-encoded PEM text\)$/,
    ],
    [
      'a tls.crt that is no PEM at all',
      tlsSecret('ns', 's', { 'tls.crt': 'not a certificate', 'tls.key': SHOP_KEY }),
      /^Secret ns\/s tls\.crt holds no PEM certificate/,
    ],
    [
      'a PEM block that is not a certificate',
      tlsSecret('ns', 's', { 'tls.crt': CORRUPT_BLOCK, 'tls.key': SHOP_KEY }),
      /^Secret ns\/s tls\.crt is not a valid X\.509 certificate \(/,
    ],
    [
      'a chain certificate that does not parse, by its position',
      tlsSecret('ns', 's', { 'tls.crt': API_CERT + CORRUPT_BLOCK, 'tls.key': API_KEY }),
      /^Secret ns\/s tls\.crt certificate 2 is not a valid X\.509 certificate \(/,
    ],
    [
      'a certificate that names no host',
      tlsSecret('ns', 's', { 'tls.crt': NO_HOST_CERT, 'tls.key': QUOTED_KEY }),
      /^Secret ns\/s tls\.crt names no host: it has neither DNS subject alternative names nor a common name$/,
    ],
    [
      'a key that is not a key',
      tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': 'nope' }),
      /^Secret ns\/s tls\.key is not a PEM private key/,
    ],
    [
      'a key of another certificate',
      tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': WILDCARD_KEY }),
      /^Secret ns\/s tls\.key does not match the certificate in tls\.crt/,
    ],
    [
      'a chain in the wrong order',
      tlsSecret('ns', 's', { 'tls.crt': TEST_CA_CERT + API_CERT, 'tls.key': API_KEY }),
      /server certificate must come first/,
    ],
  ];
  for (const [what, secret, message] of bad) {
    it(`reports ${what}, naming the Secret and key`, () => {
      const result = certificateFromSecret(secret, 'ns', 's');
      assert.ok('error' in result, JSON.stringify(result));
      assert.match(result.error, message);
    });
  }

  it('parses a Secret object once: the same object gives the same result, a replaced object is parsed afresh', () => {
    const secret = tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY });
    const first = certificateFromSecret(secret, 'ns', 's');
    assert.equal(certificateFromSecret(secret, 'ns', 's'), first);
    const copy = tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY });
    const again = certificateFromSecret(copy, 'ns', 's');
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
    const rotated = certificateFromSecret(tlsSecret('ns', 's', { 'tls.crt': WILDCARD_CERT, 'tls.key': WILDCARD_KEY }), 'ns', 's');
    assert.ok(!('error' in rotated));
    assert.deepEqual(rotated.names, ['*.example.com']);
  });

  it('remembers failures too, and never answers for another Secret name from the cache', () => {
    const broken = tlsSecret('ns', 's', { 'tls.crt': SHOP_CERT, 'tls.key': 'nope' });
    const failure = certificateFromSecret(broken, 'ns', 's');
    assert.equal(certificateFromSecret(broken, 'ns', 's'), failure);
    assert.match((certificateFromSecret(broken, 'ns', 'other') as { error: string }).error, /^Secret ns\/other tls\.key/);
  });
});

describe('caBundleFromSecret', () => {
  it('takes every certificate of tls.crt and needs no key', () => {
    const result = caBundleFromSecret(tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT + SHOP_CERT }), 'ns', 'ca');
    assert.deepEqual(result, { secret: 'ns/ca', bundle: TEST_CA_CERT + SHOP_CERT });
  });

  const bad: Array<[string, Secret | undefined, string]> = [
    ['a missing Secret', undefined, 'Secret ns/ca was not found'],
    ['a Secret without tls.crt', tlsSecret('ns', 'ca', {}), 'Secret ns/ca has no tls.crt'],
    [
      'a tls.crt without PEM blocks',
      tlsSecret('ns', 'ca', { 'tls.crt': 'not a certificate' }),
      'Secret ns/ca tls.crt holds no PEM certificate (values under data must be base64-encoded PEM text)',
    ],
  ];
  for (const [what, secret, error] of bad) {
    it(`reports ${what}`, () => assert.deepEqual(caBundleFromSecret(secret, 'ns', 'ca'), { error }));
  }

  it('names the corrupt block of a bundle by its position', () => {
    const result = caBundleFromSecret(tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT + CORRUPT_BLOCK + SHOP_CERT }), 'ns', 'ca');
    assert.ok('error' in result);
    assert.match(result.error, /^Secret ns\/ca tls\.crt certificate 2 is not a valid X\.509 certificate \(/);
  });

  it('parses a Secret object once', () => {
    const secret = tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT });
    const first = caBundleFromSecret(secret, 'ns', 'ca');
    assert.equal(caBundleFromSecret(secret, 'ns', 'ca'), first);
    const fresh = caBundleFromSecret(tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT }), 'ns', 'ca');
    assert.notEqual(fresh, first);
    assert.deepEqual(fresh, first);
  });
});
