/**
 * Whether resources that share one HTTPS virtual can share its TLS, and the TLS they then share:
 * the owner's (oldest) termination and settings, with the certificates or client-ssl profiles of
 * both. Grouping (normalize) decides it; translation only writes the result.
 */
import { describeRef } from '../kube/refs.js';
import type { CipherSettings, ClientSideTls, ServerSideTls, TlsModel } from './tls.js';

function describeClientSide(side: ClientSideTls | undefined): string {
  if (!side) return 'accepts plain connections';
  return 'profiles' in side ? 'uses BIG-IP client-ssl profiles' : 'uses certificates from Secrets';
}

function describeServerSide(side: ServerSideTls | undefined): string {
  if (!side) return 'no server-side TLS';
  if ('profiles' in side)
    return `BIG-IP server-ssl profile${side.profiles.length > 1 ? 's' : ''} ${side.profiles.map((p) => p.bigip).join(', ')}`;
  return `the CA bundle${side.caBundles.length > 1 ? 's' : ''} of Secret${side.caBundles.length > 1 ? 's' : ''} ${side.caBundles.map((b) => b.secret).join(', ')}`;
}

function sameServerSide(a: ServerSideTls | undefined, b: ServerSideTls | undefined): boolean {
  const key = (side: ServerSideTls | undefined): string => {
    if (!side) return '';
    if ('profiles' in side) return JSON.stringify(['profiles', side.profiles.map((p) => p.bigip).sort()]);
    return JSON.stringify(['ca', side.caBundles.map((c) => JSON.stringify([c.secret, c.bundle])).sort()]);
  };
  return key(a) === key(b);
}

function clientSideKind(side: ClientSideTls | undefined): string {
  if (!side) return 'none';
  return 'profiles' in side ? 'profiles' : 'certificates';
}

/** Why `other` cannot share the owner's virtual, or undefined when it can. */
function conflict(owner: TlsModel, other: TlsModel): string | undefined {
  const setBy = `(set by ${describeRef(owner.source)})`;
  if (owner.termination !== other.termination) {
    if (other.termination === 'passthrough') return `passes TLS through but the virtual terminates TLS as ${owner.termination} ${setBy}`;
    if (owner.termination === 'passthrough') return `terminates TLS as ${other.termination} but the virtual passes TLS through ${setBy}`;
    return `terminates TLS as ${other.termination} but the virtual is ${owner.termination} ${setBy}`;
  }
  if (clientSideKind(owner.clientSide) !== clientSideKind(other.clientSide)) {
    return `${describeClientSide(other.clientSide)} but the virtual ${describeClientSide(owner.clientSide)} ${setBy}`;
  }
  if (owner.termination === 'reencrypt' && !sameServerSide(owner.serverSide, other.serverSide)) {
    return `re-encrypts with ${describeServerSide(other.serverSide)} but the virtual uses ${describeServerSide(owner.serverSide)} ${setBy}`;
  }
  return undefined;
}

function mergeClientSides(owner: ClientSideTls, other: ClientSideTls): ClientSideTls {
  if ('profiles' in owner && 'profiles' in other) {
    const profiles = [...owner.profiles];
    for (const p of other.profiles) if (!profiles.some((q) => q.bigip === p.bigip)) profiles.push(p);
    return { profiles };
  }
  if ('certificates' in owner && 'certificates' in other) {
    const certificates = [...owner.certificates];
    for (const c of other.certificates) if (!certificates.some((d) => d.secret === c.secret)) certificates.push(c);
    return { certificates };
  }
  return owner;
}

/** The cipher settings as one comparable text (versions are sorted by the normalizer). */
function cipherKey(cipher: CipherSettings | undefined): string {
  return JSON.stringify([cipher?.ciphers, cipher?.cipherGroup?.bigip, cipher?.tls1_3Enabled, cipher?.disabledVersions ?? []]);
}

/**
 * The settings of `other` that a shared virtual does not apply because the owner's win (see
 * `mergeTls`), named as the TLSProfile names them: `tlsCipher`, `renegotiationEnabled`,
 * `clientSSLParams`, `serverSSLParams`. Empty when
 * they agree. An absent `renegotiationEnabled` is AS3's default, enabled.
 */
export function tlsSettingsIgnored(owner: TlsModel, other: TlsModel): string[] {
  const ignored: string[] = [];
  if (cipherKey(owner.cipher) !== cipherKey(other.cipher)) ignored.push('tlsCipher');
  if ((owner.renegotiationEnabled ?? true) !== (other.renegotiationEnabled ?? true)) ignored.push('renegotiationEnabled');
  if (JSON.stringify(owner.clientOptions ?? {}) !== JSON.stringify(other.clientOptions ?? {})) ignored.push('clientSSLParams');
  if (JSON.stringify(owner.serverOptions ?? {}) !== JSON.stringify(other.serverOptions ?? {})) ignored.push('serverSSLParams');
  return ignored;
}

/**
 * The TLS of a virtual shared by several resources: the owner's (oldest) termination, ciphers and
 * source, with the certificates or client-ssl profiles of both (deduplicated; the owner's first
 * stays the SNI default). The other resource's differing cipher and renegotiation settings are not
 * applied: `tlsSettingsIgnored` names them so that the user can be told. Returns the reason, for the other resource's user, when they cannot
 * share: different termination, passthrough vs terminating, Secrets vs BIG-IP profiles on the
 * client side, or re-encryption with a different server side.
 */
export function mergeTls(owner: TlsModel, other: TlsModel): TlsModel | string {
  const reason = conflict(owner, other);
  if (reason !== undefined) return reason;
  if (!owner.clientSide || !other.clientSide) return owner;
  return { ...owner, clientSide: mergeClientSides(owner.clientSide, other.clientSide) };
}
