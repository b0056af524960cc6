import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { CertificateMaterial, TlsModel } from './tls.js';
import { SHOP_CERT, SHOP_KEY, TEST_CA_CERT, WILDCARD_CERT, WILDCARD_KEY } from '../../test/support/certificates.js';
import { mergeTls, tlsSettingsIgnored } from './tls-merge.js';

const source: ObjectRef = { kind: 'TLSProfile', namespace: 'a', name: 'x' };
const other: ObjectRef = { kind: 'TLSProfile', namespace: 'b', name: 'y' };
const shop: CertificateMaterial = { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY };
const wild: CertificateMaterial = { secret: 'ns/wild', certificate: WILDCARD_CERT, privateKey: WILDCARD_KEY };
const caBundle = { secret: 'ns/ca', bundle: TEST_CA_CERT };

describe('mergeTls', () => {
  it("serves the certificates of both, deduplicated, the owner's first, with the owner's settings, naming the settings not applied", () => {
    const owner: TlsModel = { termination: 'edge', clientSide: { certificates: [shop] }, cipher: { ciphers: 'DEFAULT' }, source };
    const newcomer: TlsModel = {
      termination: 'edge',
      clientSide: { certificates: [wild, shop] },
      cipher: { ciphers: 'HIGH' },
      renegotiationEnabled: false,
      source: other,
    };
    assert.deepEqual(mergeTls(owner, newcomer), {
      termination: 'edge',
      clientSide: { certificates: [shop, wild] },
      cipher: { ciphers: 'DEFAULT' },
      source,
    });
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
      {
        termination: 'reencrypt',
        clientSide: { certificates: [wild] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
        source: other,
      },
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
      {
        termination: 'reencrypt',
        clientSide: { certificates: [wild] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
        source: other,
      },
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
  const edge = (settings: Partial<TlsModel>, from = source): TlsModel => ({
    termination: 'edge',
    clientSide: { certificates: [shop] },
    ...settings,
    source: from,
  });
  const cases: Array<[string, Partial<TlsModel>, Partial<TlsModel>, string[]]> = [
    [
      'the same settings',
      { cipher: { ciphers: 'DEFAULT' }, renegotiationEnabled: false },
      { cipher: { ciphers: 'DEFAULT' }, renegotiationEnabled: false },
      [],
    ],
    ['no settings on either side', {}, {}, []],
    ['the same TLS options', { clientOptions: { dtlsEnabled: false } }, { clientOptions: { dtlsEnabled: false } }, []],
    ['client TLS options only on the other resource', {}, { clientOptions: { singleUseDhEnabled: true } }, ['clientSSLParams']],
    [
      'a different server name towards the pods',
      { serverOptions: { serverName: 'a.pods.local' } },
      { serverOptions: { serverName: 'b.pods.local' } },
      ['serverSSLParams'],
    ],
    ['renegotiation left at its default and written as true', {}, { renegotiationEnabled: true }, []],
    ['a different cipher string', { cipher: { ciphers: 'DEFAULT' } }, { cipher: { ciphers: 'HIGH' } }, ['tlsCipher']],
    [
      'cipher settings only on the other resource',
      {},
      { cipher: { tls1_3Enabled: true, cipherGroup: { bigip: '/Common/f5-default' } } },
      ['tlsCipher'],
    ],
    [
      'different disabled versions',
      { cipher: { disabledVersions: ['1.0'] } },
      { cipher: { disabledVersions: ['1.0', '1.1'] } },
      ['tlsCipher'],
    ],
    [
      'a different cipher group',
      { cipher: { cipherGroup: { bigip: '/Common/a' } } },
      { cipher: { cipherGroup: { bigip: '/Common/b' } } },
      ['tlsCipher'],
    ],
    ['renegotiation turned off only by the owner', { renegotiationEnabled: false }, {}, ['renegotiationEnabled']],
  ];
  for (const [what, mine, theirs, expected] of cases) {
    it(`names ${expected.length === 0 ? 'nothing' : expected.join(' and ')} for ${what}`, () => {
      assert.deepEqual(tlsSettingsIgnored(edge(mine), edge(theirs, other)), expected);
    });
  }
});
