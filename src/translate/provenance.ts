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
import type { As3Object } from '../model/as3-types.js';

/** The AS3 `constants` property of an application, and the constant naming its sources. */
export const CONSTANTS_PROPERTY = 'constants';
export const SOURCES_CONSTANT = 'kubeAs3Sources';
/**
 * On an application several resources share (one virtual, several VirtualServers or Ingresses):
 * the resources themselves (spec and the metadata kube-as3 reads), so that after a restart or in a
 * one-shot apply the last good version of one of them can be planned again beside the others'
 * new versions. An application of one resource does not need it: it is kept whole.
 */
export const OBJECTS_CONSTANT = 'kubeAs3Objects';

/** Annotations that do not change the translation (kubectl's copy of the whole object). */
const IGNORED_ANNOTATIONS: ReadonlySet<string> = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
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

/** What of a resource is recorded: what normalization reads (no status, no managed fields). */
function recorded(obj: KubeObject): KubeObject {
  const meta = obj.metadata ?? {};
  const annotations = Object.entries(meta.annotations ?? {}).filter(([k]) => !IGNORED_ANNOTATIONS.has(k));
  const metadata: Record<string, unknown> = { name: meta.name, namespace: meta.namespace };
  for (const key of ['labels', 'creationTimestamp', 'generation'] as const) if (meta[key] !== undefined) metadata[key] = meta[key];
  if (annotations.length > 0) metadata['annotations'] = Object.fromEntries(annotations);
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec: (obj as { spec?: unknown }).spec } as KubeObject;
}

/** The `constants` object of an application made from `sources` (each resource once, in key order). */
export function provenanceConstants(sources: Array<{ ref: ObjectRef; object: KubeObject }>): As3Object {
  const byKey = new Map<string, KubeObject>();
  for (const { ref, object } of sources) if (!byKey.has(refKey(ref))) byKey.set(refKey(ref), object);
  const entries = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const constants: As3Object = {
    class: 'Constants',
    [SOURCES_CONSTANT]: Object.fromEntries(entries.map(([k, o]) => [k, resourceVersion(o)])),
  };
  if (entries.length > 1) constants[OBJECTS_CONSTANT] = Object.fromEntries(entries.map(([k, o]) => [k, recorded(o)]));
  return constants;
}

/** The resources an application recorded (shared applications only), by `Kind/namespace/name`. */
export function readRecordedObjects(application: unknown): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  const constants = isRecord(application) ? application[CONSTANTS_PROPERTY] : undefined;
  const objects = isRecord(constants) ? constants[OBJECTS_CONSTANT] : undefined;
  if (!isRecord(objects)) return out;
  for (const [key, obj] of Object.entries(objects)) if (isRecord(obj) && isRecord(obj['metadata'])) out.set(key, obj as KubeObject);
  return out;
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
