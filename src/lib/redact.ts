/**
 * Secrets out of everything kube-as3 shows (diffs, patches, summaries, logs, Events, statuses,
 * error messages): private keys, passphrases, passwords and tokens become a marker with a short
 * SHA-256 fingerprint, `<redacted sha256:1a2b3c4d5e6f>`, so that a rotated key still shows up as a
 * change while its value never does. The one place that decides what is secret and how it is
 * shown. Only the declaration posted to the BIG-IP and `plan -o json` (the declaration itself)
 * keep the real values. Pure: node:crypto does no I/O.
 */
import { createHash } from 'node:crypto';

/**
 * AS3 properties that hold secrets (`privateKey`, `passphrase`, `password`, `ciphertext`, and the
 * `...Passphrase`/`...Secret`/`...Password` variants of the schema), and login tokens.
 */
const SECRET_PROPERTY = /^(privateKey|passphrase|password|ciphertext|secret|token)$|(Passphrase|Secret|Password|SecretAccessKey)$/;

/**
 * A PEM private key (any type, encrypted or not), also when JSON-escaped (`\n` as `\\n`) or cut
 * short, as error texts that echo part of a declaration may show it.
 */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:(?!-----END )[\s\S])*?(?:-----END \1PRIVATE KEY-----|(?=["'}\]]|$))/g;

export function isSecretProperty(name: string): boolean {
  return SECRET_PROPERTY.test(name);
}

/** The first 12 hex digits of the SHA-256 of a value (a string as is, anything else as JSON). */
export function secretFingerprint(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** What is shown instead of a secret value. */
export function secretMarker(value: unknown): string {
  return `<redacted sha256:${secretFingerprint(value)}>`;
}

/**
 * A deep copy of `value` with the value of every secret property replaced by its marker (secret
 * strings and secret objects alike, such as AS3's `passphrase: {ciphertext, protected}`). Other
 * values are kept, so two redacted declarations differ exactly where the originals differ.
 */
export function redactValue<T>(value: T): T {
  return redactWith(value, (leaf) => leaf) as T;
}

/**
 * A deep copy with secret properties replaced by their markers; every other value that is not a
 * plain object or array goes through `leaf` (the identity, or the text redaction of log lines).
 */
function redactWith(value: unknown, leaf: (value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => redactWith(v, leaf));
  if (typeof value !== 'object' || value === null || value instanceof Error) return leaf(value);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      isSecretProperty(key) && inner !== undefined && inner !== null && inner !== '' ? secretMarker(inner) : redactWith(inner, leaf);
  }
  return out;
}

/** Every secret string of a value (the values of secret properties, and strings inside secret objects). */
export function secretStrings(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) secretStrings(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (isSecretProperty(key)) collectStrings(inner, into);
      else secretStrings(inner, into);
    }
  }
  return into;
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length >= 4) into.add(value);
  } else if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) collectStrings(inner, into);
  }
}

/**
 * Text that may echo secrets (an AS3 error, a log line) with each known secret, as written or
 * JSON-escaped, and every PEM private key replaced by a marker. Longer secrets are replaced
 * first, so a secret that contains another is still found whole.
 */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    const marker = secretMarker(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    out = out.split(secret).join(marker);
    if (escaped !== secret) out = out.split(escaped).join(marker);
  }
  // A whole key is fingerprinted as declarations hold it (trimmed, one final newline), so the
  // marker matches the one `diff` shows for the same key.
  return out.replace(PEM_PRIVATE_KEY, (key) => secretMarker(/-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(key) ? `${key.trim()}\n` : key));
}

/**
 * RFC 6902 operations (from `diff -o json`) with secret values replaced: an operation whose path
 * goes through a secret property gets the marker as its value; other values are redacted deeply.
 */
export function redactPatch<T extends { path: string; value?: unknown }>(operations: readonly T[]): T[] {
  return operations.map((op) => {
    if (!('value' in op)) return op;
    const throughSecret = op.path.split('/').some((segment) => isSecretProperty(segment.replace(/~1/g, '/').replace(/~0/g, '~')));
    return { ...op, value: throughSecret ? secretMarker(op.value) : redactValue(op.value) };
  });
}

/**
 * A log line's arguments made safe: secret properties become markers and every string (the
 * message, and strings inside the fields) is passed through redactText. Errors keep their class
 * for the logger but lose any key from their message.
 */
export function redactLogArgument(value: unknown): unknown {
  return redactWith(value, redactLogLeaf);
}

function redactLogLeaf(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (!(value instanceof Error)) return value;
  const message = redactText(value.message);
  if (message === value.message) return value;
  const copy = new Error(message);
  copy.name = value.name;
  return copy;
}
