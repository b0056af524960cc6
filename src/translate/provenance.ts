/**
 * Which resources, at which version, an AS3 application was made from. It is written into the
 * application itself, as an AS3 `Constants` object (`constants.kubeAs3Sources`), so the BIG-IP
 * keeps it with what it serves: after a restart, or in a one-shot `apply`, kube-as3 reads it back
 * from the device's declaration to know which applications a resource contributed to and which
 * version of that resource they hold (the last known good version, when the resource has since
 * become invalid).
 *
 * A version is the resource's `metadata.generation` when it has one (objects read from a cluster)
 * and always a SHA-256 prefix of what kube-as3 translates (spec and annotations), which also
 * tells versions of files apart. Pure: no I/O, the same object always gives the same text.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/types.js';
import type { ObjectRef } from '../kube/refs.js';
import { refKey } from '../kube/refs.js';
import { isRecord } from '../lib/is-record.js';
import type { As3Object } from './as3-types.js';

/** The AS3 `constants` property of an application, and the constant naming its sources. */
export const CONSTANTS_PROPERTY = 'constants';
export const SOURCES_CONSTANT = 'kubeAs3Sources';

/** Annotations that do not change the translation (kubectl's copy of the whole object). */
const IGNORED_ANNOTATIONS: ReadonlySet<string> = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const versions = new WeakMap<KubeObject, string>();

/**
 * `generation 3, sha256:1a2b3c4d5e6f` (or the hash alone for objects without a generation).
 * Cached per object: the watches replace an object when it changes, so identity is a safe key.
 */
export function resourceVersion(obj: KubeObject): string {
  const known = versions.get(obj);
  if (known !== undefined) return known;
  const annotations = Object.entries(obj.metadata?.annotations ?? {}).filter(([k]) => !IGNORED_ANNOTATIONS.has(k));
  const content = canonical({ spec: (obj as { spec?: unknown }).spec, annotations: Object.fromEntries(annotations) });
  const hash = `sha256:${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
  const generation = obj.metadata?.generation;
  const version = typeof generation === 'number' ? `generation ${generation}, ${hash}` : hash;
  versions.set(obj, version);
  return version;
}

/** The `constants` object of an application made from `sources` (each resource once, in key order). */
export function provenanceConstants(sources: Array<{ ref: ObjectRef; object: KubeObject }>): As3Object {
  const byKey = new Map<string, string>();
  for (const { ref, object } of sources) if (!byKey.has(refKey(ref))) byKey.set(refKey(ref), resourceVersion(object));
  const entries = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { class: 'Constants', [SOURCES_CONSTANT]: Object.fromEntries(entries) };
}

/** An application's sources as the device holds them: `Kind/namespace/name` → version; empty when unmarked. */
export function readProvenance(application: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isRecord(application)) return out;
  const constants = application[CONSTANTS_PROPERTY];
  const sources = isRecord(constants) ? constants[SOURCES_CONSTANT] : undefined;
  if (!isRecord(sources)) return out;
  for (const [key, version] of Object.entries(sources)) if (typeof version === 'string') out.set(key, version);
  return out;
}
