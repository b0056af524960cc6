/**
 * TLS of a virtual from the three places users declare it: a TLSProfile named by a VirtualServer,
 * an Ingress's `spec.tls` Secrets, and a TransportServer's `spec.tls`. Each gives a TlsModel (what
 * the BIG-IP terminates and with which certificates or profiles) or reports why it cannot.
 */
import { describeRef, namespacedName } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Secret, TLSProfile } from '../kube/types.js';
import type { BigipRef } from '../model/settings.js';
import type { CipherSettings, ClientSideTls, ServerSideTls, TlsModel } from '../model/tls.js';
import { caBundleFromSecret, certificateFromSecret, hostCoveredBy } from './certificate.js';
import type { SecretCaBundle, SecretCertificate } from './certificate.js';
import type { NormalizeContext } from './context.js';
import { absent, isBigipPath, objectOrEmpty } from './fields.js';
import type { FieldReader } from './fields.js';
import { tlsSideOptions } from './tls-options.js';

type Termination = TlsModel['termination'];
type Reference = 'bigip' | 'secret';
type TlsVersion = NonNullable<CipherSettings['disabledVersions']>[number];

const TERMINATIONS: readonly Termination[] = ['edge', 'reencrypt', 'passthrough'];
const TLS_VERSIONS: readonly TlsVersion[] = ['1.0', '1.1', '1.2', '1.3'];
/** A Kubernetes object name (DNS subdomain). */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Profile parameters CIS accepts that the TLS model does not carry yet: reported, never dropped silently. */

/**
 * Where the problems of one TLS source go. For a TLSProfile, every message lands on the field of
 * the resource that names it (`spec.tlsProfileName`) and says which TLSProfile field is wrong;
 * for a TransportServer's own `spec.tls`, on the field itself.
 */
class TlsReport {
  failed = false;

  constructor(
    private readonly r: FieldReader,
    private readonly field?: string,
    private readonly owner?: string,
  ) {}

  error(at: string, message: string): undefined {
    this.failed = true;
    return this.field === undefined ? this.r.error(at, message) : this.r.error(this.field, `${this.owner} ${at}: ${message}`);
  }

  warn(at: string, message: string): void {
    if (this.field === undefined) this.r.warn(at, message);
    else this.r.warn(this.field, `${this.owner} ${at}: ${message}`);
  }
}

/** One name in `clientSSL(s)`/`serverSSL(s)` and the field it came from. */
interface NamedEntry {
  name: string;
  field: string;
}

function choice<T extends string>(rep: TlsReport, at: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (absent(value)) return rep.error(at, `is required: ${allowed.join(', ')}`);
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  return rep.error(at, `${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
}

function nameEntry(rep: TlsReport, field: string, value: unknown): NamedEntry[] {
  if (typeof value === 'string' && value.trim() !== '') return [{ name: value.trim(), field }];
  rep.error(field, 'must be a non-empty name');
  return [];
}

/**
 * The names of one side: `clientSSLs`/`serverSSLs` win over `clientSSL`/`serverSSL` (as in CIS).
 * Undefined when the field is malformed (already reported).
 */
function sideEntries(rep: TlsReport, tls: Record<string, unknown>, base: string, side: 'client' | 'server'): NamedEntry[] | undefined {
  const plural = `${side}SSLs`;
  const singular = `${side}SSL`;
  const list = tls[plural];
  if (list !== undefined && list !== null && !Array.isArray(list)) return rep.error(`${base}.${plural}`, 'must be a list of names');
  if (Array.isArray(list) && list.length > 0) {
    if (!absent(tls[singular]))
      rep.warn(`${base}.${singular}`, `is ignored because ${plural} is set; move it into ${plural}, or remove it`);
    const entries = list.flatMap((item, i) => nameEntry(rep, `${base}.${plural}[${i}]`, item));
    return entries.length === list.length ? entries : undefined;
  }
  if (absent(tls[singular])) return [];
  const entries = nameEntry(rep, `${base}.${singular}`, tls[singular]);
  return entries.length > 0 ? entries : undefined;
}

/** Edge needs a client side only, reencrypt both sides, passthrough neither (CIS `validateTLSProfile`). */
function structureFits(rep: TlsReport, base: string, termination: Termination, client: NamedEntry[], server: NamedEntry[]): boolean {
  const wantsClient = termination !== 'passthrough';
  const wantsServer = termination === 'reencrypt';
  const problems: Array<[string, string]> = [];
  if (wantsClient && client.length === 0) {
    problems.push([
      `${base}.clientSSL`,
      `is required for ${termination} termination (clientSSL or clientSSLs: what the BIG-IP presents to clients)`,
    ]);
  }
  if (!wantsClient && client.length > 0) {
    problems.push([client[0]?.field ?? base, 'must not be set with passthrough termination: the BIG-IP does not terminate TLS']);
  }
  if (wantsServer && server.length === 0) {
    problems.push([
      `${base}.serverSSL`,
      'is required for reencrypt termination (serverSSL or serverSSLs: how the BIG-IP connects to the pods)',
    ]);
  }
  if (!wantsServer && server.length > 0) {
    const why =
      termination === 'edge'
        ? 'edge termination sends plain traffic to the pods; use reencrypt to re-encrypt'
        : 'the BIG-IP does not terminate TLS';
    problems.push([server[0]?.field ?? base, `must not be set with ${termination} termination: ${why}`]);
  }
  for (const [at, message] of problems) rep.error(at, message);
  return problems.length === 0;
}

/** `reference` for one side; with `hybrid` each side says it in `<side>SSLParams.profileReference`. */
function sideReference(
  rep: TlsReport,
  tls: Record<string, unknown>,
  base: string,
  reference: Reference | 'hybrid',
  side: 'client' | 'server',
): Reference | undefined {
  if (reference !== 'hybrid') return reference;
  const at = `${base}.${side}SSLParams.profileReference`;
  const profileReference = objectOrEmpty(tls[`${side}SSLParams`])['profileReference'];
  if (absent(profileReference)) return rep.error(at, 'is required with reference: hybrid (bigip or secret)');
  return choice(rep, at, profileReference, ['bigip', 'secret'] as const);
}

/** BIG-IP profile paths; `Common/clientssl` (no leading slash, which CIS accepts) is read as `/Common/clientssl`. */
function bigipProfiles(rep: TlsReport, entries: NamedEntry[], kind: 'client-ssl' | 'server-ssl'): BigipRef[] | undefined {
  const paths = entries.map((entry) => (entry.name.startsWith('/') ? entry.name : `/${entry.name}`));
  const bad = entries.filter((entry, i) => !isBigipPath(paths[i]));
  for (const entry of bad) {
    rep.error(
      entry.field,
      `${JSON.stringify(entry.name)} must be the full path of an existing BIG-IP ${kind} profile, such as /Common/${kind.replace('-', '')}`,
    );
  }
  return bad.length === 0 ? [...new Set(paths)].map((bigip) => ({ bigip })) : undefined;
}

function secretNameOk(rep: TlsReport, entry: NamedEntry, namespace: string): boolean {
  if (SECRET_NAME.test(entry.name)) return true;
  const hint = entry.name.startsWith('/') ? '; it looks like a BIG-IP profile path: set reference to bigip' : '';
  rep.error(entry.field, `${JSON.stringify(entry.name)} must be the name of a Secret in namespace ${namespace}${hint}`);
  return false;
}

function secretCertificates(rep: TlsReport, ctx: NormalizeContext, namespace: string, entries: NamedEntry[]): SecretCertificate[] {
  const certs: SecretCertificate[] = [];
  for (const entry of entries) {
    if (!secretNameOk(rep, entry, namespace)) continue;
    const result = certificateFromSecret(ctx.get<Secret>('Secret', namespace, entry.name), namespace, entry.name);
    if ('error' in result) rep.error(entry.field, result.error);
    else if (!certs.some((c) => c.material.secret === result.material.secret)) certs.push(result);
  }
  return certs;
}

function secretCaBundles(rep: TlsReport, ctx: NormalizeContext, namespace: string, entries: NamedEntry[]): ServerSideTls {
  const caBundles: SecretCaBundle[] = [];
  for (const entry of entries) {
    if (!secretNameOk(rep, entry, namespace)) continue;
    const result = caBundleFromSecret(ctx.get<Secret>('Secret', namespace, entry.name), namespace, entry.name);
    if ('error' in result) rep.error(entry.field, result.error);
    else if (!caBundles.some((b) => b.secret === result.secret)) caBundles.push(result);
  }
  return { caBundles };
}

/** The client-facing side and, for Secrets, the certificates with their host names (for coverage checks). */
interface ClientSide {
  tls: ClientSideTls;
  certificates?: SecretCertificate[];
}

function clientSide(
  rep: TlsReport,
  ctx: NormalizeContext,
  namespace: string,
  entries: NamedEntry[],
  reference: Reference,
): ClientSide | undefined {
  if (reference === 'bigip') {
    const profiles = bigipProfiles(rep, entries, 'client-ssl');
    return profiles && { tls: { profiles } };
  }
  const certificates = secretCertificates(rep, ctx, namespace, entries);
  return { tls: { certificates: certificates.map((c) => c.material) }, certificates };
}

function serverSide(
  rep: TlsReport,
  ctx: NormalizeContext,
  namespace: string,
  entries: NamedEntry[],
  reference: Reference,
): ServerSideTls | undefined {
  if (reference === 'secret') return secretCaBundles(rep, ctx, namespace, entries);
  const profiles = bigipProfiles(rep, entries, 'server-ssl');
  return profiles && { profiles };
}

/** Every host of the virtual must be served by at least one certificate (CIS `checkCertificateHost`). */
function checkCoverage(rep: TlsReport, at: string, hosts: readonly string[], certificates: SecretCertificate[]): void {
  if (certificates.length === 0) return;
  const names = certificates.flatMap((c) => c.names);
  const served = certificates.map((c) => `Secret ${c.material.secret}: ${c.names.join(', ')}`).join('; ');
  for (const host of hosts) {
    if (!hostCoveredBy(host, names)) {
      rep.error(at, `no certificate covers host ${host} (${served}); use a certificate whose subject alternative names include it`);
    }
  }
}

/** The TLSProfile's `hosts` must include every host of the virtual (exactly or through a `*.` entry); empty accepts any. */
function checkProfileHosts(rep: TlsReport, spec: Record<string, unknown>, hosts: readonly string[]): void {
  const list = spec['hosts'];
  if (absent(list)) return;
  if (!Array.isArray(list) || list.some((h) => typeof h !== 'string')) return void rep.error('spec.hosts', 'must be a list of host names');
  if (list.length === 0) return;
  const allowed = list as string[];
  for (const host of hosts) {
    if (!hostCoveredBy(host, allowed)) {
      rep.error('spec.hosts', `does not include host ${host} (it lists ${allowed.join(', ')}); add the host or use another TLSProfile`);
    }
  }
}

function tlsVersion(rep: TlsReport, at: string, value: unknown): TlsVersion | undefined {
  // YAML reads an unquoted 1.3 as a number.
  const text = typeof value === 'number' ? value.toFixed(1) : value;
  if ((TLS_VERSIONS as readonly unknown[]).includes(text)) return text as TlsVersion;
  return rep.error(at, `${JSON.stringify(value)} must be one of ${TLS_VERSIONS.join(', ')}`);
}

function disabledVersions(rep: TlsReport, at: string, value: unknown): TlsVersion[] | undefined {
  if (!Array.isArray(value)) return rep.error(at, 'must be a list of TLS versions (1.0, 1.1, 1.2, 1.3)');
  const versions = value.map((v, i) => tlsVersion(rep, `${at}[${i}]`, v));
  if (versions.some((v) => v === undefined)) return undefined;
  return TLS_VERSIONS.filter((v) => versions.includes(v));
}

function cipherGroupRef(rep: TlsReport, at: string, value: unknown): BigipRef | undefined {
  if (isBigipPath(value)) return { bigip: value };
  return rep.error(at, `${JSON.stringify(value)} must be the full path of an existing BIG-IP cipher group, such as /Common/f5-default`);
}

/**
 * `tlsCipher` → cipher settings. As in CIS, `cipherGroup` applies only with `tlsVersion: "1.3"`
 * (which also turns TLS 1.3 on); otherwise `ciphers` is used. AS3 accepts one of the two, so with
 * both set under TLS 1.3 the group wins. Without `tlsCipher` AS3's defaults apply: CIS's global
 * cipher flags and the extended ConfigMap's `baseRouteSpec.tlsCipher` only reach its legacy and
 * OpenShift engines [gap], so in CRD mode CIS has no global fallback either, and neither do we.
 */
function cipherSettings(rep: TlsReport, value: unknown): CipherSettings | undefined {
  if (absent(value)) return undefined;
  const spec = objectOrEmpty(value);
  if (spec !== value)
    return rep.error('spec.tlsCipher', 'must be an object such as {"tlsVersion": "1.3", "cipherGroup": "/Common/f5-default"}');
  const version = absent(spec['tlsVersion']) ? undefined : tlsVersion(rep, 'spec.tlsCipher.tlsVersion', spec['tlsVersion']);
  const disabled = absent(spec['disableTLSVersions'])
    ? []
    : disabledVersions(rep, 'spec.tlsCipher.disableTLSVersions', spec['disableTLSVersions']);
  const group = absent(spec['cipherGroup']) ? undefined : cipherGroupRef(rep, 'spec.tlsCipher.cipherGroup', spec['cipherGroup']);
  const ciphers = spec['ciphers'];
  if (!absent(ciphers) && typeof ciphers !== 'string') rep.error('spec.tlsCipher.ciphers', 'must be an OpenSSL-style cipher string');
  if (version === '1.3' && disabled?.includes('1.3'))
    rep.error('spec.tlsCipher.disableTLSVersions', 'disables TLS 1.3, which tlsVersion "1.3" turns on');
  const settings: CipherSettings = cipherChoice(
    rep,
    version === '1.3',
    group,
    typeof ciphers === 'string' && ciphers !== '' ? ciphers : undefined,
  );
  if (version === '1.3') settings.tls1_3Enabled = true;
  if (disabled && disabled.length > 0) settings.disabledVersions = disabled;
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** `cipherGroup` (TLS 1.3 only, as in CIS) or `ciphers`: AS3 accepts one of the two. */
function cipherChoice(rep: TlsReport, tls13: boolean, group: BigipRef | undefined, ciphers: string | undefined): CipherSettings {
  if (group && tls13) {
    if (ciphers !== undefined)
      rep.warn('spec.tlsCipher.ciphers', 'is ignored because cipherGroup is set (AS3 accepts one of the two); remove one of them');
    return { cipherGroup: group };
  }
  if (group)
    rep.warn(
      'spec.tlsCipher.cipherGroup',
      'is applied only with tlsVersion "1.3" (as in CIS) and was ignored; set tlsVersion: "1.3", or use ciphers',
    );
  return ciphers === undefined ? {} : { ciphers };
}

/**
 * `clientSSLParams.renegotiationEnabled`. CIS's mutating webhook turns `false` into `true` (a bug):
 * we keep the user's `false`. `true` is both the CRD's and AS3's default, so it is left implicit:
 * the output is the same whether or not the API server filled the default in.
 */
function renegotiation(rep: TlsReport, tls: Record<string, unknown>): false | undefined {
  const enabled = objectOrEmpty(tls['clientSSLParams'])['renegotiationEnabled'];
  if (enabled === undefined || enabled === null) return undefined;
  if (typeof enabled === 'boolean') return enabled ? undefined : false;
  return rep.error('spec.tls.clientSSLParams.renegotiationEnabled', 'must be true or false');
}

/** Cipher and renegotiation settings shape only TLS objects made from Secrets; BIG-IP profiles keep their own. */
function clientSettings(
  rep: TlsReport,
  spec: Record<string, unknown>,
  tls: Record<string, unknown>,
  side: ClientSideTls,
): Pick<TlsModel, 'cipher' | 'renegotiationEnabled'> {
  const cipher = cipherSettings(rep, spec['tlsCipher']);
  const renegotiationEnabled = renegotiation(rep, tls);
  if ('profiles' in side) {
    if (cipher) rep.warn('spec.tlsCipher', 'is not applied: the BIG-IP client-ssl profiles keep their own cipher settings');
    if (renegotiationEnabled !== undefined) {
      rep.warn('spec.tls.clientSSLParams.renegotiationEnabled', 'is not applied: the BIG-IP client-ssl profiles keep their own setting');
    }
    return {};
  }
  return { ...(cipher ? { cipher } : {}), ...(renegotiationEnabled === undefined ? {} : { renegotiationEnabled }) };
}

/** The terminating part of a TLSProfile (edge or reencrypt). */
function terminatingModel(
  rep: TlsReport,
  ctx: NormalizeContext,
  profile: { namespace: string; spec: Record<string, unknown>; tls: Record<string, unknown>; source: ObjectRef },
  sides: { termination: Termination; client: NamedEntry[]; server: NamedEntry[] },
  hosts: readonly string[],
): TlsModel | undefined {
  const { namespace, spec, tls, source } = profile;
  const reference = choice(rep, 'spec.tls.reference', tls['reference'], ['bigip', 'secret', 'hybrid'] as const);
  if (!reference) return undefined;
  const clientRef = sideReference(rep, tls, 'spec.tls', reference, 'client');
  const serverRef = sides.server.length > 0 ? sideReference(rep, tls, 'spec.tls', reference, 'server') : undefined;
  const client = clientRef && clientSide(rep, ctx, namespace, sides.client, clientRef);
  const server = serverRef && serverSide(rep, ctx, namespace, sides.server, serverRef);
  const clientField = (sides.client[0]?.field ?? 'spec.tls.clientSSL').replace(/\[\d+\]$/, '');
  if (client?.certificates) checkCoverage(rep, clientField, hosts, client.certificates);
  const clientOptions = tlsSideOptions(rep, tls, 'client', !client ? 'none' : 'profiles' in client.tls ? 'profiles' : 'secrets');
  const serverOptions = tlsSideOptions(rep, tls, 'server', !server ? 'none' : 'profiles' in server ? 'profiles' : 'secrets');
  if (!client || clientOptions === false || serverOptions === false) return undefined;
  const settings = clientSettings(rep, spec, tls, client.tls);
  return {
    termination: sides.termination,
    clientSide: client.tls,
    ...(server ? { serverSide: server } : {}),
    ...settings,
    ...(clientOptions ? { clientOptions } : {}),
    ...(serverOptions ? { serverOptions } : {}),
    source,
  };
}

function readProfile(
  rep: TlsReport,
  ctx: NormalizeContext,
  profile: TLSProfile,
  source: ObjectRef,
  hosts: readonly string[],
): TlsModel | undefined {
  const spec = objectOrEmpty(profile.spec);
  if (spec !== profile.spec) return rep.error('spec', 'is required');
  checkProfileHosts(rep, spec, hosts);
  const tls = objectOrEmpty(spec['tls']);
  if (tls !== spec['tls']) return rep.error('spec.tls', 'is required (termination, reference and the client/server SSL names)');
  const termination = choice(rep, 'spec.tls.termination', tls['termination'], TERMINATIONS);
  const client = sideEntries(rep, tls, 'spec.tls', 'client');
  const server = sideEntries(rep, tls, 'spec.tls', 'server');
  if (!termination || !client || !server || !structureFits(rep, 'spec.tls', termination, client, server)) return undefined;
  if (termination === 'passthrough') {
    if (!absent(spec['tlsCipher'])) rep.warn('spec.tlsCipher', 'is not applied with passthrough termination');
    return { termination, source };
  }
  return terminatingModel(rep, ctx, { namespace: source.namespace, spec, tls, source }, { termination, client, server }, hosts);
}

function usableProfile(r: FieldReader, ctx: NormalizeContext, namespace: string, name: string, field: string): TLSProfile | undefined {
  const id = namespacedName(namespace, name);
  const unread = ctx.unreadNamespace(namespace);
  const profile = unread === undefined ? ctx.get<TLSProfile>('TLSProfile', namespace, name) : undefined;
  if (!profile)
    return r.error(
      field,
      `TLSProfile ${id} was not found; ${unread ?? `create it or name an existing TLSProfile of namespace ${namespace}`}`,
    );
  if (!ctx.selectsResource(profile)) {
    return r.error(
      field,
      `TLSProfile ${id} is not usable: its labels do not match the customResourceLabel selector "${ctx.config.customResourceLabel}"; add a matching label`,
    );
  }
  return profile;
}

/**
 * The TLS a VirtualServer gets from the TLSProfile it names (`spec.tlsProfileName`): looked up in
 * `namespace` (`spec.tlsProfileNamespace`, else the VirtualServer's; the profile's Secrets are in
 * the profile's namespace), checked against the virtual's hosts (the profile's `hosts` list
 * and, for Secrets, the certificates' names). Every problem is reported on `field` with the
 * TLSProfile field it concerns; undefined when the TLS cannot be applied.
 */
// eslint-disable-next-line max-params -- the signature every HTTPS normalizer shares
export function tlsForVirtualServer(
  r: FieldReader,
  ctx: NormalizeContext,
  namespace: string,
  profileName: string,
  hosts: string[],
  field: string,
): TlsModel | undefined {
  const profile = usableProfile(r, ctx, namespace, profileName, field);
  if (!profile) return undefined;
  const source: ObjectRef = { kind: 'TLSProfile', namespace, name: profileName };
  const rep = new TlsReport(r, field, describeRef(source));
  const model = readProfile(
    rep,
    ctx,
    profile,
    source,
    hosts.map((h) => h.toLowerCase()),
  );
  return rep.failed ? undefined : model;
}

/**
 * Edge TLS of an Ingress from its `spec.tls` entries: each entry's Secret (in the Ingress's
 * namespace) must exist, hold a usable certificate and key, and cover every host the entry lists.
 * Several Secrets are chosen by SNI; the first is the default. Problems go on each entry's field.
 */
export function tlsFromIngressSecrets(
  r: FieldReader,
  ctx: NormalizeContext,
  namespace: string,
  entries: Array<{ secretName: string; hosts: string[]; field: string }>,
  source: ObjectRef,
): TlsModel | undefined {
  const rep = new TlsReport(r);
  const certificates: SecretCertificate[] = [];
  for (const entry of entries) {
    if (absent(entry.secretName)) {
      rep.error(entry.field, 'secretName is required: name the TLS Secret that holds the certificate for these hosts');
      continue;
    }
    const [cert] = secretCertificates(rep, ctx, namespace, [{ name: entry.secretName, field: entry.field }]);
    if (!cert) continue;
    const uncovered = entry.hosts.filter((host) => !hostCoveredBy(host, cert.names));
    for (const host of uncovered) {
      rep.error(
        entry.field,
        `host ${host} is not covered by the certificate in Secret ${cert.material.secret} (it serves ${cert.names.join(', ')})`,
      );
    }
    if (!certificates.some((c) => c.material.secret === cert.material.secret)) certificates.push(cert);
  }
  if (rep.failed || certificates.length === 0) return undefined;
  return { termination: 'edge', clientSide: { certificates: certificates.map((c) => c.material) }, source };
}

/**
 * TLS of a TransportServer (`spec.tls`): `clientSSLs` alone terminate TLS (edge); with
 * `serverSSLs` too the BIG-IP re-encrypts to the pods; `serverSSLs` alone accept plain connections
 * and speak TLS to the pods (termination `reencrypt` without a client side). With
 * `reference: secret` the names are Secrets in the TransportServer's namespace: CIS looks them up
 * as BIG-IP profiles (a bug); we follow its documented intent.
 */
export function tlsForTransportServer(
  r: FieldReader,
  ctx: NormalizeContext,
  namespace: string,
  tls: unknown,
  field: string,
): TlsModel | undefined {
  if (tls === undefined || tls === null) return undefined;
  const rep = new TlsReport(r);
  const spec = objectOrEmpty(tls);
  if (spec !== tls) return rep.error(field, 'must be an object');
  const client = sideEntries(rep, spec, field, 'client');
  const server = sideEntries(rep, spec, field, 'server');
  if (!client || !server) return undefined;
  if (client.length === 0 && server.length === 0) {
    rep.warn(field, 'sets neither clientSSLs nor serverSSLs: no TLS is applied');
    return undefined;
  }
  const reference = choice(rep, `${field}.reference`, spec['reference'], ['bigip', 'secret'] as const);
  if (!reference) return undefined;
  const clientTls = client.length > 0 ? clientSide(rep, ctx, namespace, client, reference) : undefined;
  const serverTls = server.length > 0 ? serverSide(rep, ctx, namespace, server, reference) : undefined;
  if (rep.failed) return undefined;
  return {
    termination: clientTls && !serverTls ? 'edge' : 'reencrypt',
    ...(clientTls ? { clientSide: clientTls.tls } : {}),
    ...(serverTls ? { serverSide: serverTls } : {}),
    source: r.ref,
  };
}
