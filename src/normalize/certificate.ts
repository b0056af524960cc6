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

/** The PEM certificate blocks of a text (a bundle, a leaf plus chain), each ending with a newline. */
export function pemCertificates(text: string): string[] {
  return (text.match(PEM_CERTIFICATE) ?? []).map((block) => `${block.trim()}\n`);
}

function parseCertificate(pem: string): X509Certificate | Failure {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    return { error: `is not a valid X.509 certificate (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** DNS entries of Node's `subjectAltName` text (`DNS:a.com, DNS:"odd,name", IP Address:...`). */
function dnsAltNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const m of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[1] ?? '';
    names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return names;
}

/** Common names of Node's `subject` text (one `KEY=value` per line). */
function commonNames(subject: string): string[] {
  return subject.split('\n').filter((line) => line.startsWith('CN=')).map((line) => line.slice(3));
}

function uniqueLowerCase(names: string[]): string[] {
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ''))];
}

function hostsOf(cert: X509Certificate): { names: string[] } | Failure {
  // As browsers and CIS do: DNS subject alternative names when present, the common name otherwise.
  const alt = uniqueLowerCase(dnsAltNames(cert.subjectAltName));
  const names = alt.length > 0 ? alt : uniqueLowerCase(commonNames(cert.subject));
  if (names.length === 0) return { error: 'names no host: it has neither DNS subject alternative names nor a common name' };
  return { names };
}

/**
 * The host names a certificate serves: its DNS subject alternative names, or its common name when
 * it has none. For a bundle, the first certificate (the server's own) counts.
 */
export function certificateHosts(pem: string): { names: string[] } | Failure {
  const [leaf] = pemCertificates(pem);
  if (leaf === undefined) return { error: 'holds no PEM certificate' };
  const cert = parseCertificate(leaf);
  return 'error' in cert ? cert : hostsOf(cert);
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

/** `tls.crt` split into the server certificate (first block) and the chain that follows it. */
export function splitCertificateChain(pem: string): { certificate: string; chainCA?: string } | Failure {
  const blocks = pemCertificates(pem);
  const [leaf, ...chain] = blocks;
  if (leaf === undefined) return { error: 'holds no PEM certificate' };
  for (const [i, block] of blocks.entries()) {
    const parsed = parseCertificate(block);
    if ('error' in parsed) return { error: i === 0 ? parsed.error : `certificate ${i + 1} ${parsed.error}` };
  }
  return chain.length > 0 ? { certificate: leaf, chainCA: chain.join('') } : { certificate: leaf };
}

/**
 * A Secret value as text. `data` values are base64, as the API server serves them; `stringData`
 * (plain text, as written in manifests) takes precedence, as it does when the API server stores it.
 */
export function secretText(secret: Secret, key: string): string | undefined {
  const plain = (secret as { stringData?: Record<string, unknown> }).stringData?.[key];
  if (typeof plain === 'string' && plain !== '') return plain;
  const encoded = secret.data?.[key];
  if (typeof encoded !== 'string' || encoded === '') return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** A certificate from a Secret with the host names it serves. */
export interface SecretCertificate {
  material: CertificateMaterial;
  names: string[];
}

function privateKeyOf(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

function lookupFailure(secret: Secret | undefined, id: string, keys: readonly string[]): Failure | undefined {
  if (!secret) return { error: `Secret ${id} was not found` };
  const missing = keys.find((key) => secretText(secret, key) === undefined);
  return missing === undefined ? undefined : { error: `Secret ${id} has no ${missing}` };
}

function notPem(id: string): Failure {
  return { error: `Secret ${id} tls.crt holds no PEM certificate (values under data must be base64-encoded PEM text)` };
}

/**
 * The server certificate, chain and key of a TLS Secret (`tls.crt`, `tls.key`), checked: the
 * certificate parses, names at least one host, and the key is an unencrypted PEM key that matches it.
 */
export function certificateFromSecret(secret: Secret | undefined, namespace: string, name: string): SecretCertificate | Failure {
  const id = namespacedName(namespace, name);
  const missing = lookupFailure(secret, id, ['tls.crt', 'tls.key']);
  if (missing || !secret) return missing ?? { error: `Secret ${id} was not found` };
  const crt = secretText(secret, 'tls.crt') ?? '';
  const keyPem = secretText(secret, 'tls.key') ?? '';
  if (pemCertificates(crt).length === 0) return notPem(id);
  const split = splitCertificateChain(crt);
  if ('error' in split) return { error: `Secret ${id} tls.crt ${split.error}` };
  const cert = new X509Certificate(split.certificate);
  const hosts = hostsOf(cert);
  if ('error' in hosts) return { error: `Secret ${id} tls.crt ${hosts.error}` };
  const key = privateKeyOf(keyPem);
  if (!key) return { error: `Secret ${id} tls.key is not a PEM private key (keys protected by a passphrase are not supported)` };
  if (!cert.checkPrivateKey(key)) {
    return { error: `Secret ${id} tls.key does not match the certificate in tls.crt (the server certificate must come first, followed by its chain)` };
  }
  const material: CertificateMaterial = { secret: id, certificate: split.certificate, privateKey: keyPem.trim() + '\n' };
  if (split.chainCA !== undefined) material.chainCA = split.chainCA;
  return { material, names: hosts.names };
}

/**
 * The CA certificates in a Secret's `tls.crt`, used to verify the pods' certificates when
 * re-encrypting; `tls.key` is not needed.
 */
export function caBundleFromSecret(secret: Secret | undefined, namespace: string, name: string): { secret: string; bundle: string } | Failure {
  const id = namespacedName(namespace, name);
  const missing = lookupFailure(secret, id, ['tls.crt']);
  if (missing || !secret) return missing ?? { error: `Secret ${id} was not found` };
  const blocks = pemCertificates(secretText(secret, 'tls.crt') ?? '');
  if (blocks.length === 0) return notPem(id);
  for (const [i, block] of blocks.entries()) {
    const parsed = parseCertificate(block);
    if ('error' in parsed) return { error: `Secret ${id} tls.crt certificate ${i + 1} ${parsed.error}` };
  }
  return { secret: id, bundle: blocks.join('') };
}
