/**
 * Certificates from Kubernetes TLS Secrets: which host names a certificate serves, whether a host
 * is covered by them, and the PEM material AS3 needs (leaf, chain, key). Parsing uses node:crypto,
 * which does no I/O, so the core stays pure. Every problem is returned as `{ error }` text that names
 * the Secret and its key; callers decide which resource field the message belongs to.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { namespacedName } from '../kube/refs.js';
import type { Secret } from '../kube/types.js';
import type { CertificateMaterial } from '../model/tls.js';

export interface Failure {
  error: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text (a leaf and its chain, or a CA bundle), each block checked. */
interface PemBundle {
  /** The first certificate (in a tls.crt, the server's own), as PEM text and parsed. */
  first: { pem: string; x509: X509Certificate };
  /** The PEM blocks that follow it, each ending with a newline. */
  rest: string[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Every PEM certificate block of `text`, parsed once; the failure names the bad block when there are several. */
function parsePemBundle(text: string): PemBundle | Failure {
  const blocks = (text.match(PEM_CERTIFICATE) ?? []).map((block) => `${block.trim()}\n`);
  let first: PemBundle['first'] | undefined;
  for (const [i, pem] of blocks.entries()) {
    try {
      const x509 = new X509Certificate(pem);
      first ??= { pem, x509 };
    } catch (err) {
      const which = blocks.length > 1 ? `certificate ${i + 1} ` : '';
      return { error: `${which}is not a valid X.509 certificate (${errorText(err)})` };
    }
  }
  if (!first) return { error: 'holds no PEM certificate (values under data must be base64-encoded PEM text)' };
  return { first, rest: blocks.slice(1) };
}

/** Node's quoted form of an unusual name (`"odd\\u002cname"`) is a JSON string; kept as written if it is not. */
function unquote(raw: string): string {
  try {
    const name: unknown = JSON.parse(raw);
    return typeof name === 'string' ? name : raw;
  } catch {
    return raw;
  }
}

/** DNS entries of Node's `subjectAltName` text (`DNS:a.com, DNS:"odd,name", IP Address:...`). */
function dnsAltNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const m of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[1] ?? '';
    names.push(raw.startsWith('"') ? unquote(raw) : raw);
  }
  return names;
}

/** Common names of Node's `subject` text (one `KEY=value` per line). */
function commonNames(subject: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
}

function uniqueLowerCase(names: string[]): string[] {
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ''))];
}

/** The host names a certificate serves: as browsers and CIS do, its DNS subject alternative names, else its common name. */
function hostsOf(cert: X509Certificate): string[] | Failure {
  const alt = uniqueLowerCase(dnsAltNames(cert.subjectAltName));
  const names = alt.length > 0 ? alt : uniqueLowerCase(commonNames(cert.subject));
  if (names.length === 0) return { error: 'names no host: it has neither DNS subject alternative names nor a common name' };
  return names;
}

function wildcardCovers(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label !== '' && !label.includes('.') && label !== '*';
}

/**
 * Whether a host is served by one of these names (certificate names or TLSProfile `hosts`).
 * `*.example.com` covers exactly one label (`a.example.com`, not `example.com` nor
 * `a.b.example.com`); a wildcard host `*.example.com` is covered only by the same wildcard.
 */
export function hostCoveredBy(host: string, names: readonly string[]): boolean {
  const h = host.toLowerCase();
  return names.some((name) => {
    const n = name.toLowerCase();
    return n === h || wildcardCovers(n, h);
  });
}

/**
 * A Secret value as text. `data` values are base64, as the API server serves them; `stringData`
 * (plain text, as written in manifests) takes precedence, as it does when the API server stores it.
 */
function secretText(secret: Secret, key: string): string | undefined {
  const plain = (secret as { stringData?: Record<string, unknown> }).stringData?.[key];
  if (typeof plain === 'string' && plain !== '') return plain;
  const encoded = secret.data?.[key];
  if (typeof encoded !== 'string' || encoded === '') return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** A certificate from a Secret with the host names it serves. Shared between callers: never modified. */
export interface SecretCertificate {
  readonly material: CertificateMaterial;
  readonly names: readonly string[];
}

/** The CA certificates of a Secret, as one PEM bundle. Shared between callers: never modified. */
export interface SecretCaBundle {
  readonly secret: string;
  readonly bundle: string;
}

function privateKeyOf(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/**
 * Results per Secret object. The cluster state replaces an object when it changes, so the same
 * object always parses the same; every resource that names the Secret (on every re-grouping)
 * reuses the parse instead of decoding, parsing and key-checking the PEM again.
 */
type SecretCache<T> = WeakMap<Secret, { id: string; result: T | Failure }>;

const certificateCache: SecretCache<SecretCertificate> = new WeakMap();
const caBundleCache: SecretCache<SecretCaBundle> = new WeakMap();

function cached<T>(
  cache: SecretCache<T>,
  secret: Secret | undefined,
  id: string,
  read: (secret: Secret, id: string) => T | Failure,
): T | Failure {
  if (!secret) return { error: `Secret ${id} was not found` };
  const hit = cache.get(secret);
  if (hit?.id === id) return hit.result;
  const result = read(secret, id);
  cache.set(secret, { id, result });
  return result;
}

function readCertificate(secret: Secret, id: string): SecretCertificate | Failure {
  const crt = secretText(secret, 'tls.crt');
  const keyPem = secretText(secret, 'tls.key');
  if (crt === undefined) return { error: `Secret ${id} has no tls.crt` };
  if (keyPem === undefined) return { error: `Secret ${id} has no tls.key` };
  const bundle = parsePemBundle(crt);
  if ('error' in bundle) return { error: `Secret ${id} tls.crt ${bundle.error}` };
  const names = hostsOf(bundle.first.x509);
  if ('error' in names) return { error: `Secret ${id} tls.crt ${names.error}` };
  const key = privateKeyOf(keyPem);
  if (!key) return { error: `Secret ${id} tls.key is not a PEM private key (keys protected by a passphrase are not supported)` };
  if (!bundle.first.x509.checkPrivateKey(key)) {
    return {
      error: `Secret ${id} tls.key does not match the certificate in tls.crt (the server certificate must come first, followed by its chain)`,
    };
  }
  const material: CertificateMaterial = { secret: id, certificate: bundle.first.pem, privateKey: `${keyPem.trim()}\n` };
  if (bundle.rest.length > 0) material.chainCA = bundle.rest.join('');
  return { material, names };
}

/**
 * The server certificate, chain and key of a TLS Secret (`tls.crt`, `tls.key`), checked: the
 * certificate parses, names at least one host, and the key is an unencrypted PEM key that matches
 * it. The result for one Secret object is computed once and shared.
 */
export function certificateFromSecret(secret: Secret | undefined, namespace: string, name: string): SecretCertificate | Failure {
  return cached(certificateCache, secret, namespacedName(namespace, name), readCertificate);
}

function readCaBundle(secret: Secret, id: string): SecretCaBundle | Failure {
  const crt = secretText(secret, 'tls.crt');
  if (crt === undefined) return { error: `Secret ${id} has no tls.crt` };
  const bundle = parsePemBundle(crt);
  if ('error' in bundle) return { error: `Secret ${id} tls.crt ${bundle.error}` };
  return { secret: id, bundle: bundle.first.pem + bundle.rest.join('') };
}

/**
 * The CA certificates in a Secret's `tls.crt`, used to verify the pods' certificates when
 * re-encrypting; `tls.key` is not needed. The result for one Secret object is computed once and shared.
 */
export function caBundleFromSecret(secret: Secret | undefined, namespace: string, name: string): SecretCaBundle | Failure {
  return cached(caBundleCache, secret, namespacedName(namespace, name), readCaBundle);
}

/** The first 12 hex digits of a certificate's SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` shows them (lower case, no colons). */
function shortFingerprint(x509: X509Certificate): string {
  return x509.fingerprint256.replace(/:/g, '').toLowerCase().slice(0, 12);
}

/**
 * Certificates (public) for people: subject, DNS names, expiry and fingerprint of each PEM block,
 * `CN=shop.example.com (shop.example.com, www.shop.example.com) expires 2126-10-28 sha256:1a2b3c4d5e6f`,
 * joined by ` + ` for a chain or bundle. Undefined when the text holds no parsable certificate.
 */
export function describeCertificates(text: string): string | undefined {
  const parts: string[] = [];
  for (const block of text.match(PEM_CERTIFICATE) ?? []) {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(block);
    } catch {
      continue;
    }
    const subject =
      x509.subject
        .split('\n')
        .filter((line) => line.startsWith('CN='))
        .join(', ') || x509.subject.replace(/\n/g, ', ');
    const names = dnsAltNames(x509.subjectAltName);
    const expires = new Date(x509.validTo).toISOString().slice(0, 10);
    parts.push(`${subject}${names.length > 0 ? ` (${names.join(', ')})` : ''} expires ${expires} sha256:${shortFingerprint(x509)}`);
  }
  return parts.length > 0 ? parts.join(' + ') : undefined;
}
