import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject, TLSProfile } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { CertificateMaterial, TlsModel } from '../model/tls.js';
import { cisResource, contextFor, tlsSecret } from '../../test/support/fixtures.js';
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
import { FieldReader } from './fields.js';
import { tlsForTransportServer, tlsForVirtualServer, tlsFromIngressSecrets } from './tls-profile.js';

const secrets: KubeObject[] = [
  tlsSecret('ns', 'shop', { 'tls.crt': SHOP_CERT, 'tls.key': SHOP_KEY }),
  tlsSecret('ns', 'wild', { 'tls.crt': WILDCARD_CERT, 'tls.key': WILDCARD_KEY }),
  tlsSecret('ns', 'legacy', { 'tls.crt': LEGACY_CERT, 'tls.key': LEGACY_KEY }),
  tlsSecret('ns', 'api', { 'tls.crt': API_CERT + TEST_CA_CERT, 'tls.key': API_KEY }),
  tlsSecret('ns', 'ca', { 'tls.crt': TEST_CA_CERT }),
  tlsSecret('ns', 'nokey', { 'tls.crt': SHOP_CERT }),
  tlsSecret('ns', 'empty', {}),
];

const shop: CertificateMaterial = { secret: 'ns/shop', certificate: SHOP_CERT, privateKey: SHOP_KEY };
const wild: CertificateMaterial = { secret: 'ns/wild', certificate: WILDCARD_CERT, privateKey: WILDCARD_KEY };
const legacy: CertificateMaterial = { secret: 'ns/legacy', certificate: LEGACY_CERT, privateKey: LEGACY_KEY };
const profileRef: ObjectRef = { kind: 'TLSProfile', namespace: 'ns', name: 'tls' };

function tlsProfile(spec: unknown, labels: Record<string, string> = { f5cr: 'true' }): TLSProfile {
  const profile = cisResource<TLSProfile>('TLSProfile', 'ns', 'tls', spec);
  if (profile.metadata) profile.metadata.labels = labels;
  return profile;
}

interface Outcome {
  model: TlsModel | undefined;
  diagnostics: Diagnostic[];
  dependencies: string[];
}

function forVirtualServer(objects: KubeObject[], hosts: string[] = ['shop.example.com'], config = defaultConfig()): Outcome {
  const ctx = contextFor([...secrets, ...objects], config);
  const r = new FieldReader({ kind: 'VirtualServer', namespace: 'ns', name: 'vs' });
  const model = tlsForVirtualServer(r, ctx, 'ns', 'tls', hosts, 'spec.tlsProfileName');
  return { model, diagnostics: r.diagnostics, dependencies: ctx.takeDependencies().map((d) => `${d.kind} ${d.namespace}/${d.name}`) };
}

function messages(diagnostics: Diagnostic[], severity: Diagnostic['severity']): string[] {
  return diagnostics.filter((d) => d.severity === severity).map((d) => `${d.field}: ${d.message}`);
}

describe('tlsForVirtualServer', () => {
  const good: Array<[string, unknown, string[], Omit<TlsModel, 'source'>]> = [
    [
      'edge with a certificate from a Secret',
      { hosts: ['shop.example.com'], tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop' } },
      ['shop.example.com'],
      { termination: 'edge', clientSide: { certificates: [shop] } },
    ],
    [
      'reencrypt with BIG-IP profiles (a path without its leading slash too)',
      { tls: { termination: 'reencrypt', reference: 'bigip', clientSSL: '/Common/clientssl', serverSSL: 'Common/serverssl' } },
      ['shop.example.com'],
      {
        termination: 'reencrypt',
        clientSide: { profiles: [{ bigip: '/Common/clientssl' }] },
        serverSide: { profiles: [{ bigip: '/Common/serverssl' }] },
      },
    ],
    [
      'reencrypt with Secrets: the server-side Secret is the CA bundle that verifies the pods',
      { tls: { termination: 'reencrypt', reference: 'secret', clientSSL: 'shop', serverSSL: 'ca' } },
      ['www.shop.example.com'],
      {
        termination: 'reencrypt',
        clientSide: { certificates: [shop] },
        serverSide: { caBundles: [{ secret: 'ns/ca', bundle: TEST_CA_CERT }] },
      },
    ],
    [
      'hybrid: a Secret towards clients, a BIG-IP profile towards the pods',
      {
        tls: {
          termination: 'reencrypt',
          reference: 'hybrid',
          clientSSL: 'shop',
          serverSSL: '/Common/serverssl',
          clientSSLParams: { profileReference: 'secret' },
          serverSSLParams: { profileReference: 'bigip' },
        },
      },
      ['shop.example.com'],
      { termination: 'reencrypt', clientSide: { certificates: [shop] }, serverSide: { profiles: [{ bigip: '/Common/serverssl' }] } },
    ],
    [
      'several certificates, chosen by SNI, the first the default',
      { tls: { termination: 'edge', reference: 'secret', clientSSLs: ['shop', 'wild', 'shop'] } },
      ['shop.example.com', 'a.example.com'],
      { termination: 'edge', clientSide: { certificates: [shop, wild] } },
    ],
    [
      'several BIG-IP client-ssl profiles',
      { tls: { termination: 'edge', reference: 'bigip', clientSSLs: ['/Common/a', '/Common/b'] } },
      ['shop.example.com'],
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/a' }, { bigip: '/Common/b' }] } },
    ],
    [
      'a certificate whose hosts come from its common name',
      { tls: { termination: 'edge', reference: 'secret', clientSSL: 'legacy' } },
      ['legacy.example.com'],
      { termination: 'edge', clientSide: { certificates: [legacy] } },
    ],
    [
      'a wildcard profile host and certificate for a one-label host',
      { hosts: ['*.example.com'], tls: { termination: 'edge', reference: 'secret', clientSSL: 'wild' } },
      ['a.example.com'],
      { termination: 'edge', clientSide: { certificates: [wild] } },
    ],
    [
      'a wildcard VirtualServer host with the same wildcard certificate',
      { hosts: ['*.example.com'], tls: { termination: 'edge', reference: 'secret', clientSSL: 'wild' } },
      ['*.example.com'],
      { termination: 'edge', clientSide: { certificates: [wild] } },
    ],
    [
      'a host-less VirtualServer with a hosts list',
      { hosts: ['other.example.com'], tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop' } },
      [],
      { termination: 'edge', clientSide: { certificates: [shop] } },
    ],
    [
      'an empty hosts list (any host)',
      { hosts: [], tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/clientssl' } },
      ['anything.example.org'],
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/clientssl' }] } },
    ],
    [
      'passthrough',
      { hosts: ['shop.example.com'], tls: { termination: 'passthrough' } },
      ['shop.example.com'],
      { termination: 'passthrough' },
    ],
    [
      'TLS 1.3 with a cipher group, and disabled versions',
      {
        tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop' },
        tlsCipher: { tlsVersion: '1.3', cipherGroup: '/Common/f5-default', disableTLSVersions: ['1.1', '1.0'] },
      },
      ['shop.example.com'],
      {
        termination: 'edge',
        clientSide: { certificates: [shop] },
        cipher: { cipherGroup: { bigip: '/Common/f5-default' }, tls1_3Enabled: true, disabledVersions: ['1.0', '1.1'] },
      },
    ],
    [
      'a cipher string, and tlsVersion written as a YAML number',
      { tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop' }, tlsCipher: { tlsVersion: 1.2, ciphers: 'DEFAULT:!RC4' } },
      ['shop.example.com'],
      { termination: 'edge', clientSide: { certificates: [shop] }, cipher: { ciphers: 'DEFAULT:!RC4' } },
    ],
    [
      "clientSSLParams dtlsEnabled and singleUseDhEnabled for the TLS made from Secrets (values equal to AS3's defaults are left out)",
      {
        tls: {
          termination: 'edge',
          reference: 'secret',
          clientSSL: 'shop',
          clientSSLParams: { dtlsEnabled: false, singleUseDhEnabled: true, renegotiationEnabled: true },
        },
      },
      ['shop.example.com'],
      { termination: 'edge', clientSide: { certificates: [shop] }, clientOptions: { dtlsEnabled: false, singleUseDhEnabled: true } },
    ],
    [
      'serverSSLParams for the TLS towards the pods: the server name they are checked against, renegotiation off',
      {
        tls: {
          termination: 'reencrypt',
          reference: 'secret',
          clientSSL: 'shop',
          serverSSL: 'ca',
          serverSSLParams: { serverName: 'Pods.Shop.Local', renegotiationEnabled: false, dtlsEnabled: true },
        },
      },
      ['www.shop.example.com'],
      {
        termination: 'reencrypt',
        clientSide: { certificates: [shop] },
        serverSide: { caBundles: [{ secret: 'ns/ca', bundle: TEST_CA_CERT }] },
        serverOptions: { renegotiationEnabled: false, serverName: 'pods.shop.local' },
      },
    ],
    [
      "renegotiationEnabled false, kept as written (CIS's webhook turns it into true)",
      { tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop', clientSSLParams: { renegotiationEnabled: false } } },
      ['shop.example.com'],
      { termination: 'edge', clientSide: { certificates: [shop] }, renegotiationEnabled: false },
    ],
  ];
  for (const [what, spec, hosts, expected] of good) {
    it(`accepts ${what}`, () => {
      const { model, diagnostics } = forVirtualServer([tlsProfile(spec)], hosts);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(model, { ...expected, source: profileRef });
    });
  }

  const edge = { termination: 'edge', reference: 'secret', clientSSL: 'shop' };
  const bad: Array<[string, KubeObject[], string[], RegExp]> = [
    ['a missing TLSProfile', [], ['shop.example.com'], /^TLSProfile ns\/tls was not found/],
    [
      'a TLSProfile without the custom resource label',
      [tlsProfile({ tls: edge }, {})],
      ['shop.example.com'],
      /^TLSProfile ns\/tls is not usable: its labels do not match the customResourceLabel selector "f5cr in \(true\)"/,
    ],
    [
      'a TLSProfile without spec.tls',
      [tlsProfile({ hosts: ['shop.example.com'] })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tls: is required/,
    ],
    [
      'a missing termination',
      [tlsProfile({ tls: { reference: 'secret', clientSSL: 'shop' } })],
      ['shop.example.com'],
      /spec\.tls\.termination: is required: edge, reencrypt, passthrough/,
    ],
    [
      'an unknown termination',
      [tlsProfile({ tls: { ...edge, termination: 'bogus' } })],
      ['shop.example.com'],
      /spec\.tls\.termination: "bogus" must be one of edge, reencrypt, passthrough/,
    ],
    [
      'edge without a client side',
      [tlsProfile({ tls: { termination: 'edge', reference: 'secret' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSL: is required for edge termination/,
    ],
    [
      'edge with a server side',
      [tlsProfile({ tls: { ...edge, serverSSL: 'ca' } })],
      ['shop.example.com'],
      /spec\.tls\.serverSSL: must not be set with edge termination/,
    ],
    [
      'reencrypt without a server side',
      [tlsProfile({ tls: { ...edge, termination: 'reencrypt' } })],
      ['shop.example.com'],
      /spec\.tls\.serverSSL: is required for reencrypt termination/,
    ],
    [
      'reencrypt without a client side',
      [tlsProfile({ tls: { termination: 'reencrypt', reference: 'secret', serverSSL: 'ca' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSL: is required for reencrypt termination/,
    ],
    [
      'passthrough with a client side',
      [tlsProfile({ tls: { termination: 'passthrough', clientSSL: 'shop' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSL: must not be set with passthrough termination/,
    ],
    [
      'passthrough with a server side',
      [tlsProfile({ tls: { termination: 'passthrough', serverSSLs: ['ca'] } })],
      ['shop.example.com'],
      /spec\.tls\.serverSSLs\[0\]: must not be set with passthrough termination/,
    ],
    [
      'a missing reference',
      [tlsProfile({ tls: { termination: 'edge', clientSSL: 'shop' } })],
      ['shop.example.com'],
      /spec\.tls\.reference: is required: bigip, secret, hybrid/,
    ],
    [
      'hybrid without clientSSLParams.profileReference',
      [tlsProfile({ tls: { ...edge, reference: 'hybrid' } })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tls\.clientSSLParams\.profileReference: is required with reference: hybrid/,
    ],
    [
      'hybrid without serverSSLParams.profileReference',
      [
        tlsProfile({
          tls: { ...edge, termination: 'reencrypt', reference: 'hybrid', serverSSL: 'ca', clientSSLParams: { profileReference: 'secret' } },
        }),
      ],
      ['shop.example.com'],
      /spec\.tls\.serverSSLParams\.profileReference: is required with reference: hybrid/,
    ],
    [
      'a missing Secret',
      [tlsProfile({ tls: { ...edge, clientSSL: 'nope' } })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tls\.clientSSL: Secret ns\/nope was not found$/,
    ],
    [
      'a Secret without tls.key',
      [tlsProfile({ tls: { ...edge, clientSSL: 'nokey' } })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tls\.clientSSL: Secret ns\/nokey has no tls\.key$/,
    ],
    [
      'a missing Secret in a list',
      [tlsProfile({ tls: { ...edge, clientSSLs: ['shop', 'nope'] } })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tls\.clientSSLs\[1\]: Secret ns\/nope was not found$/,
    ],
    [
      'a server-side Secret without tls.crt',
      [tlsProfile({ tls: { ...edge, termination: 'reencrypt', serverSSL: 'empty' } })],
      ['shop.example.com'],
      /spec\.tls\.serverSSL: Secret ns\/empty has no tls\.crt$/,
    ],
    [
      "a host not in the profile's hosts",
      [tlsProfile({ hosts: ['shop.example.com', '*.shop.example.com'], tls: edge })],
      ['other.example.com'],
      /^TLSProfile ns\/tls spec\.hosts: does not include host other\.example\.com \(it lists shop\.example\.com, \*\.shop\.example\.com\)/,
    ],
    [
      'a host two labels below a wildcard entry of hosts',
      [tlsProfile({ hosts: ['*.example.com'], tls: { ...edge, clientSSL: 'wild' } })],
      ['a.b.example.com'],
      /spec\.hosts: does not include host a\.b\.example\.com/,
    ],
    [
      'a host no certificate covers',
      [tlsProfile({ tls: edge })],
      ['other.example.com'],
      /^TLSProfile ns\/tls spec\.tls\.clientSSL: no certificate covers host other\.example\.com \(Secret ns\/shop: shop\.example\.com, www\.shop\.example\.com\)/,
    ],
    [
      'the apex of a wildcard certificate',
      [tlsProfile({ tls: { ...edge, clientSSL: 'wild' } })],
      ['example.com'],
      /no certificate covers host example\.com/,
    ],
    [
      'a BIG-IP reference that is not a path',
      [tlsProfile({ tls: { termination: 'edge', reference: 'bigip', clientSSL: 'clientssl' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSL: "clientssl" must be the full path of an existing BIG-IP client-ssl profile/,
    ],
    [
      'a profile path with reference secret',
      [tlsProfile({ tls: { ...edge, clientSSL: '/Common/clientssl' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSL: "\/Common\/clientssl" must be the name of a Secret in namespace ns; it looks like a BIG-IP profile path: set reference to bigip/,
    ],
    [
      'clientSSLs that is not a list',
      [tlsProfile({ tls: { ...edge, clientSSLs: 'shop' } })],
      ['shop.example.com'],
      /spec\.tls\.clientSSLs: must be a list of names/,
    ],
    [
      'an unknown TLS version',
      [tlsProfile({ tls: edge, tlsCipher: { tlsVersion: '1.4' } })],
      ['shop.example.com'],
      /spec\.tlsCipher\.tlsVersion: "1\.4" must be one of 1\.0, 1\.1, 1\.2, 1\.3/,
    ],
    [
      'TLS 1.3 both wanted and disabled',
      [tlsProfile({ tls: edge, tlsCipher: { tlsVersion: '1.3', disableTLSVersions: ['1.3'] } })],
      ['shop.example.com'],
      /spec\.tlsCipher\.disableTLSVersions: disables TLS 1\.3/,
    ],
    [
      'a cipher group that is not a path',
      [tlsProfile({ tls: edge, tlsCipher: { tlsVersion: '1.3', cipherGroup: 'f5-default' } })],
      ['shop.example.com'],
      /spec\.tlsCipher\.cipherGroup: "f5-default" must be the full path/,
    ],
    [
      'a wildcard server name for the pods',
      [tlsProfile({ tls: { ...edge, termination: 'reencrypt', serverSSL: 'ca', serverSSLParams: { serverName: '*.pods.local' } } })],
      ['shop.example.com'],
      /serverSSLParams\.serverName: "\*\.pods\.local" must be the host name the pods' certificate is issued for/,
    ],
    [
      'dtlsEnabled that is not a boolean',
      [tlsProfile({ tls: { ...edge, clientSSLParams: { dtlsEnabled: 'no' } } })],
      ['shop.example.com'],
      /clientSSLParams\.dtlsEnabled: must be true or false/,
    ],
    [
      'renegotiationEnabled that is not a boolean',
      [tlsProfile({ tls: { ...edge, clientSSLParams: { renegotiationEnabled: 'yes' } } })],
      ['shop.example.com'],
      /clientSSLParams\.renegotiationEnabled: must be true or false/,
    ],
    [
      'hosts that is not a list',
      [tlsProfile({ hosts: 'shop.example.com', tls: edge })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.hosts: must be a list of host names$/,
    ],
    [
      'hosts with a non-text entry',
      [tlsProfile({ hosts: ['shop.example.com', 7], tls: edge })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.hosts: must be a list of host names$/,
    ],
    [
      'tlsCipher that is not an object',
      [tlsProfile({ tls: edge, tlsCipher: 'TLSv1.3' })],
      ['shop.example.com'],
      /^TLSProfile ns\/tls spec\.tlsCipher: must be an object such as \{"tlsVersion": "1\.3"/,
    ],
  ];
  for (const [what, objects, hosts, message] of bad) {
    it(`rejects ${what} on spec.tlsProfileName`, () => {
      const { model, diagnostics } = forVirtualServer(objects, hosts);
      assert.equal(model, undefined);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      assert.ok(errors.length > 0, 'an error is reported');
      for (const d of errors) assert.equal(d.field, 'spec.tlsProfileName');
      assert.ok(
        errors.some((d) => message.test(d.message)),
        `no error matches ${message}: ${JSON.stringify(errors.map((d) => d.message))}`,
      );
    });
  }

  // Each check decides from its own entries: an earlier problem elsewhere in the profile neither
  // hides a later one nor lets a half-valid list through to Secret lookups.
  const independent: Array<[string, unknown, string[]]> = [
    [
      'a malformed hosts list and an empty name in clientSSLs',
      { hosts: 'shop.example.com', tls: { ...edge, clientSSLs: ['shop', ''] } },
      ['spec.hosts: must be a list of host names', 'spec.tls.clientSSLs[1]: must be a non-empty name'],
    ],
    [
      'a malformed hosts list and a server side on edge termination',
      { hosts: 'shop.example.com', tls: { ...edge, serverSSL: 'ca' } },
      [
        'spec.hosts: must be a list of host names',
        'spec.tls.serverSSL: must not be set with edge termination: edge termination sends plain traffic to the pods; use reencrypt to re-encrypt',
      ],
    ],
  ];
  for (const [what, spec, errors] of independent) {
    it(`reports ${what}, and reads no Secret`, () => {
      const { model, diagnostics, dependencies } = forVirtualServer([tlsProfile(spec)]);
      assert.equal(model, undefined);
      assert.deepEqual(
        messages(diagnostics, 'error'),
        errors.map((e) => `spec.tlsProfileName: TLSProfile ns/tls ${e}`),
      );
      assert.deepEqual(dependencies, ['TLSProfile ns/tls']);
    });
  }

  it('uses the configured customResourceLabel to decide whether a TLSProfile is usable', () => {
    const config = defaultConfig();
    config.customResourceLabel = 'team=shop';
    const rejected = forVirtualServer([tlsProfile({ tls: edge })], ['shop.example.com'], config);
    assert.match(rejected.diagnostics[0]?.message ?? '', /selector "team=shop"/);
    const accepted = forVirtualServer([tlsProfile({ tls: edge }, { team: 'shop' })], ['shop.example.com'], config);
    assert.deepEqual(accepted.diagnostics, []);
    assert.ok(accepted.model);
  });

  it('records the TLSProfile and the Secrets it read, found or not, as dependencies', () => {
    const { dependencies } = forVirtualServer([tlsProfile({ tls: { ...edge, clientSSLs: ['shop', 'nope'] } })]);
    assert.deepEqual(dependencies, ['TLSProfile ns/tls', 'Secret ns/shop', 'Secret ns/nope']);
  });

  const warnings: Array<[string, unknown, RegExp]> = [
    [
      'a singular name next to the plural list',
      { tls: { ...edge, clientSSL: 'legacy', clientSSLs: ['shop'] } },
      /spec\.tls\.clientSSL: is ignored because clientSSLs is set/,
    ],
    [
      'a cipher group without TLS 1.3',
      { tls: edge, tlsCipher: { cipherGroup: '/Common/g', ciphers: 'DEFAULT' } },
      /spec\.tlsCipher\.cipherGroup: is applied only with tlsVersion "1\.3"/,
    ],
    [
      'ciphers next to a TLS 1.3 cipher group',
      { tls: edge, tlsCipher: { tlsVersion: '1.3', cipherGroup: '/Common/g', ciphers: 'DEFAULT' } },
      /spec\.tlsCipher\.ciphers: is ignored because cipherGroup is set/,
    ],
    [
      'ciphers with BIG-IP client-ssl profiles',
      { tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/c' }, tlsCipher: { ciphers: 'DEFAULT' } },
      /spec\.tlsCipher: is not applied: the BIG-IP client-ssl profiles keep their own/,
    ],
    [
      'serverSSLParams with BIG-IP server-ssl profiles',
      {
        tls: {
          termination: 'reencrypt',
          reference: 'bigip',
          clientSSL: '/Common/c',
          serverSSL: '/Common/s',
          serverSSLParams: { serverName: 'pods.local' },
        },
      },
      /serverSSLParams\.serverName: is not applied: the BIG-IP server-ssl profiles keep their own setting; set it on the profile, or use reference: secret$/,
    ],
    [
      'clientSSLParams with BIG-IP client-ssl profiles',
      { tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/c', clientSSLParams: { dtlsEnabled: false } } },
      /clientSSLParams\.dtlsEnabled: is not applied: the BIG-IP client-ssl profiles keep their own setting/,
    ],
    [
      'serverSSLParams on edge termination',
      { tls: { ...edge, serverSSLParams: { singleUseDhEnabled: true } } },
      /serverSSLParams\.singleUseDhEnabled: ignored: this termination has no TLS towards the pods; remove it$/,
    ],
    [
      'tlsCipher on a passthrough profile',
      { tls: { termination: 'passthrough' }, tlsCipher: { ciphers: 'DEFAULT' } },
      /^spec\.tlsProfileName: TLSProfile ns\/tls spec\.tlsCipher: is not applied with passthrough termination$/,
    ],
  ];
  for (const [what, spec, message] of warnings) {
    it(`warns about ${what} and still applies the TLS`, () => {
      const { model, diagnostics } = forVirtualServer([tlsProfile(spec)]);
      assert.ok(model);
      const warned = messages(diagnostics, 'warning');
      assert.equal(messages(diagnostics, 'error').length, 0);
      assert.ok(
        warned.some((m) => message.test(m)),
        `no warning matches ${message}: ${JSON.stringify(warned)}`,
      );
    });
  }

  it('stays quiet about the renegotiationEnabled: true the API server fills in as the CRD default', () => {
    const { model, diagnostics } = forVirtualServer([
      tlsProfile({
        tls: {
          termination: 'reencrypt',
          reference: 'hybrid',
          clientSSL: '/Common/clientssl',
          serverSSL: 'ca',
          clientSSLParams: { profileReference: 'bigip', renegotiationEnabled: true },
          serverSSLParams: { profileReference: 'secret', renegotiationEnabled: true },
        },
      }),
    ]);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(model, {
      termination: 'reencrypt',
      clientSide: { profiles: [{ bigip: '/Common/clientssl' }] },
      serverSide: { caBundles: [{ secret: 'ns/ca', bundle: TEST_CA_CERT }] },
      source: profileRef,
    });
  });

  it('names the certificate list, not its first entry, when no certificate covers a host', () => {
    const { diagnostics } = forVirtualServer(
      [tlsProfile({ tls: { termination: 'edge', reference: 'secret', clientSSLs: ['shop', 'legacy'] } })],
      ['other.example.com'],
    );
    assert.equal(diagnostics.length, 1);
    assert.match(
      diagnostics[0]?.message ?? '',
      /^TLSProfile ns\/tls spec\.tls\.clientSSLs: no certificate covers host other\.example\.com \(Secret ns\/shop: shop\.example\.com, www\.shop\.example\.com; Secret ns\/legacy: legacy\.example\.com\)/,
    );
  });

  it('leaves out cipher settings that BIG-IP client-ssl profiles cannot take', () => {
    const { model } = forVirtualServer([
      tlsProfile({ tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/c' }, tlsCipher: { ciphers: 'DEFAULT' } }),
    ]);
    assert.equal(model?.cipher, undefined);
  });
});

describe('tlsFromIngressSecrets', () => {
  const ingress: ObjectRef = { kind: 'Ingress', namespace: 'ns', name: 'ing' };

  function fromIngress(entries: Array<{ secretName: string; hosts: string[]; field: string }>): {
    model: TlsModel | undefined;
    diagnostics: Diagnostic[];
  } {
    const r = new FieldReader(ingress);
    const model = tlsFromIngressSecrets(r, contextFor(secrets), 'ns', entries, ingress);
    return { model, diagnostics: r.diagnostics };
  }

  it("terminates TLS at the edge with each entry's certificate, deduplicated, the first the SNI default", () => {
    const { model, diagnostics } = fromIngress([
      { secretName: 'shop', hosts: ['shop.example.com', 'www.shop.example.com'], field: 'spec.tls[0]' },
      { secretName: 'wild', hosts: ['a.example.com'], field: 'spec.tls[1]' },
      { secretName: 'shop', hosts: [], field: 'spec.tls[2]' },
    ]);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(model, { termination: 'edge', clientSide: { certificates: [shop, wild] }, source: ingress });
  });

  it('gives nothing for an Ingress without TLS', () => {
    assert.deepEqual(fromIngress([]), { model: undefined, diagnostics: [] });
  });

  const bad: Array<[string, { secretName: string; hosts: string[] }, RegExp]> = [
    [
      'a host the certificate does not cover',
      { secretName: 'shop', hosts: ['other.example.com'] },
      /^host other\.example\.com is not covered by the certificate in Secret ns\/shop \(it serves shop\.example\.com, www\.shop\.example\.com\)$/,
    ],
    ['a host two labels below the wildcard', { secretName: 'wild', hosts: ['a.b.example.com'] }, /^host a\.b\.example\.com is not covered/],
    ['a missing Secret', { secretName: 'nope', hosts: [] }, /^Secret ns\/nope was not found$/],
    ['a Secret without tls.key', { secretName: 'nokey', hosts: [] }, /^Secret ns\/nokey has no tls\.key$/],
    ['an entry without secretName', { secretName: '', hosts: ['shop.example.com'] }, /^secretName is required/],
  ];
  for (const [what, entry, message] of bad) {
    it(`rejects ${what} on that entry's field`, () => {
      const { model, diagnostics } = fromIngress([
        { secretName: 'shop', hosts: ['shop.example.com'], field: 'spec.tls[0]' },
        { ...entry, field: 'spec.tls[1]' },
      ]);
      assert.equal(model, undefined);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.field, 'spec.tls[1]');
      assert.equal(diagnostics[0]?.severity, 'error');
      assert.match(diagnostics[0]?.message ?? '', message);
    });
  }
});

describe('tlsForTransportServer', () => {
  const ts: ObjectRef = { kind: 'TransportServer', namespace: 'ns', name: 'ts' };

  function fromTransportServer(tls: unknown): { model: TlsModel | undefined; diagnostics: Diagnostic[] } {
    const r = new FieldReader(ts);
    const model = tlsForTransportServer(r, contextFor(secrets), 'ns', tls, 'spec.tls');
    return { model, diagnostics: r.diagnostics };
  }

  const good: Array<[string, unknown, Omit<TlsModel, 'source'>]> = [
    [
      'client-ssl profiles alone: edge',
      { reference: 'bigip', clientSSLs: ['/Common/clientssl'] },
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/clientssl' }] } },
    ],
    [
      'the singular clientSSL',
      { reference: 'bigip', clientSSL: '/Common/clientssl' },
      { termination: 'edge', clientSide: { profiles: [{ bigip: '/Common/clientssl' }] } },
    ],
    [
      'Secrets on both sides: reencrypt (the names are Secrets, not BIG-IP profiles as CIS looks them up)',
      { reference: 'secret', clientSSLs: ['shop'], serverSSLs: ['ca'] },
      {
        termination: 'reencrypt',
        clientSide: { certificates: [shop] },
        serverSide: { caBundles: [{ secret: 'ns/ca', bundle: TEST_CA_CERT }] },
      },
    ],
    [
      'server-ssl profiles alone: plain in, TLS to the pods',
      { reference: 'bigip', serverSSLs: ['/Common/serverssl'] },
      { termination: 'reencrypt', serverSide: { profiles: [{ bigip: '/Common/serverssl' }] } },
    ],
  ];
  for (const [what, tls, expected] of good) {
    it(`accepts ${what}`, () => {
      const { model, diagnostics } = fromTransportServer(tls);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(model, { ...expected, source: ts });
    });
  }

  it('gives nothing without spec.tls', () => {
    assert.deepEqual(fromTransportServer(undefined), { model: undefined, diagnostics: [] });
  });

  it('warns that an empty spec.tls applies no TLS', () => {
    const { model, diagnostics } = fromTransportServer({ reference: 'bigip' });
    assert.equal(model, undefined);
    assert.deepEqual(messages(diagnostics, 'warning'), ['spec.tls: sets neither clientSSLs nor serverSSLs: no TLS is applied']);
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['spec.tls that is not an object', 'yes', 'spec.tls', /must be an object/],
    ['a missing reference', { clientSSLs: ['/Common/clientssl'] }, 'spec.tls.reference', /is required: bigip, secret/],
    [
      'a hybrid reference (VirtualServers only)',
      { reference: 'hybrid', clientSSLs: ['/Common/clientssl'] },
      'spec.tls.reference',
      /"hybrid" must be one of bigip, secret/,
    ],
    ['a missing Secret', { reference: 'secret', clientSSLs: ['nope'] }, 'spec.tls.clientSSLs[0]', /^Secret ns\/nope was not found$/],
    [
      'a Secret without tls.key',
      { reference: 'secret', clientSSLs: ['nokey'] },
      'spec.tls.clientSSLs[0]',
      /^Secret ns\/nokey has no tls\.key$/,
    ],
    [
      'a profile name that is not a path',
      { reference: 'bigip', serverSSLs: ['serverssl'] },
      'spec.tls.serverSSLs[0]',
      /must be the full path of an existing BIG-IP server-ssl profile/,
    ],
  ];
  for (const [what, tls, field, message] of bad) {
    it(`rejects ${what} on ${field}`, () => {
      const { model, diagnostics } = fromTransportServer(tls);
      assert.equal(model, undefined);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.field, field);
      assert.match(errors[0]?.message ?? '', message);
    });
  }
});
