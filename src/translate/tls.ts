/**
 * TLS of one virtual in AS3: Certificate and TLS_Server objects for certificates from Secrets
 * (the client-facing side), CA_Bundle and TLS_Client for re-encryption that verifies the pods, or
 * references to existing BIG-IP client-ssl/server-ssl profiles. Whether resources that share one
 * HTTPS virtual can share its TLS is model/tls-merge.ts's decision (normalize makes it when grouping).
 */
import type { BigipRef } from '../model/settings.js';
import type { CertificateMaterial, CipherSettings, TlsModel, TlsSideOptions } from '../model/tls.js';
import type { As3Object } from '../model/as3-types.js';
import { as3Name } from '../model/names.js';
import type { NameScope } from '../model/names.js';

/** The AS3 objects of a virtual's TLS and the values of its Service's `serverTLS`/`clientTLS`. */
export interface TlsTranslation {
  objects: Array<[string, As3Object]>;
  /** Name of the TLS_Server, or `{bigip}` / a list of `{bigip}` for existing client-ssl profiles. */
  serverTLS?: unknown;
  /** Name of the TLS_Client, or `{bigip}` / a list of `{bigip}` for existing server-ssl profiles. */
  clientTLS?: unknown;
}

/** One BIG-IP profile as a plain pointer; several as a list, from which the BIG-IP picks by SNI. */
function profilePointers(profiles: BigipRef[]): BigipRef | BigipRef[] {
  const refs = profiles.map((p) => ({ bigip: p.bigip }));
  return refs.length === 1 && refs[0] ? refs[0] : refs;
}

function certificateObject(material: CertificateMaterial): As3Object {
  return {
    class: 'Certificate',
    certificate: material.certificate,
    privateKey: material.privateKey,
    ...(material.chainCA === undefined ? {} : { chainCA: material.chainCA }),
  };
}

/** AS3 names of TLS_Server cipher and version properties. */
function cipherProperties(cipher: CipherSettings | undefined): Record<string, unknown> {
  if (!cipher) return {};
  const out: Record<string, unknown> = {};
  if (cipher.cipherGroup) out['cipherGroup'] = { bigip: cipher.cipherGroup.bigip };
  else if (cipher.ciphers !== undefined) out['ciphers'] = cipher.ciphers;
  if (cipher.tls1_3Enabled !== undefined) out['tls1_3Enabled'] = cipher.tls1_3Enabled;
  for (const version of cipher.disabledVersions ?? []) out[`tls${version.replace('.', '_')}Enabled`] = false;
  return out;
}

interface Named {
  name: string;
  objects: Array<[string, As3Object]>;
}

function tlsServer(tls: TlsModel, certificates: CertificateMaterial[], baseName: string, scope: NameScope): Named {
  const objects: Array<[string, As3Object]> = [];
  const entries = certificates.map((material, i) => {
    const name = scope.claim(as3Name(`${baseName}_cert_${material.secret}`), `Certificate:${baseName}:${material.secret}`);
    objects.push([name, certificateObject(material)]);
    // The first certificate answers clients that send no or an unknown server name.
    return certificates.length > 1 && i === 0 ? { certificate: name, sniDefault: true } : { certificate: name };
  });
  const server: As3Object = {
    class: 'TLS_Server',
    certificates: entries,
    ...cipherProperties(tls.cipher),
    ...(tls.renegotiationEnabled === undefined ? {} : { renegotiationEnabled: tls.renegotiationEnabled }),
    ...tls.clientOptions,
  };
  const name = scope.claim(as3Name(`${baseName}_tls_server`), `TLS_Server:${baseName}`);
  objects.push([name, server]);
  return { name, objects };
}

/**
 * TLS_Client that verifies the pods' certificates against the CA bundle from the Secrets (the
 * normalizers give at least one: each server-side Secret either yields its bundle or rejects the
 * resource). CIS documents only `trustCA`; without `validateCertificate` the BIG-IP would not
 * check the pods' certificates at all, so we turn it on (the intent of giving a CA).
 */
function tlsClient(
  bundles: Array<{ secret: string; bundle: string }>,
  options: TlsSideOptions | undefined,
  baseName: string,
  scope: NameScope,
): Named {
  const caName = scope.claim(as3Name(`${baseName}_ca_bundle`), `CA_Bundle:${baseName}`);
  const name = scope.claim(as3Name(`${baseName}_tls_client`), `TLS_Client:${baseName}`);
  return {
    name,
    objects: [
      [caName, { class: 'CA_Bundle', bundle: bundles.map((b) => b.bundle).join('') }],
      [name, { class: 'TLS_Client', trustCA: { use: caName }, validateCertificate: true, ...options }],
    ],
  };
}

/**
 * The AS3 objects for a virtual's TLS, named from `baseName` (the virtual's name) within `scope`,
 * and the values for its Service's `serverTLS` (client-facing) and `clientTLS` (pod-facing).
 * Passthrough gives nothing: the BIG-IP does not terminate TLS.
 */
export function translateTls(tls: TlsModel, baseName: string, scope: NameScope): TlsTranslation {
  const out: TlsTranslation = { objects: [] };
  if (tls.termination === 'passthrough') return out;
  const client = tls.clientSide;
  if (client && 'profiles' in client) {
    out.serverTLS = profilePointers(client.profiles);
  } else if (client && client.certificates.length > 0) {
    const server = tlsServer(tls, client.certificates, baseName, scope);
    out.objects.push(...server.objects);
    out.serverTLS = server.name;
  }
  // Re-encryption always names its pod side (a TLSProfile or TransportServer without one is rejected).
  const server = tls.termination === 'reencrypt' ? tls.serverSide : undefined;
  if (!server) return out;
  if ('profiles' in server) {
    out.clientTLS = profilePointers(server.profiles);
  } else {
    const tlsToPods = tlsClient(server.caBundles, tls.serverOptions, baseName, scope);
    out.objects.push(...tlsToPods.objects);
    out.clientTLS = tlsToPods.name;
  }
  return out;
}
