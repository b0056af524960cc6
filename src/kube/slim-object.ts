/**
 * Objects as kube-as3 keeps them: fields it never reads are dropped as objects are read, so that
 * memory follows what is kept rather than the size of the input (a `kubectl get -o json` dump is
 * mostly `managedFields`, kubectl's `last-applied-configuration` copy and statuses).
 *
 * What stays is what the code reads, by kind (grep before dropping more):
 * - every object: apiVersion, kind, and metadata except the API server's bookkeeping that nothing
 *   reads (managedFields, ownerReferences, finalizers, selfLink, …). Fields that are not ObjectMeta
 *   fields stay, so a misspelt one still gets its unknown-field warning (unknown-fields.ts);
 * - the objects of the kinds kube-as3 translates or reads (kinds.ts), whole, without the status it
 *   writes and never reads; a Node keeps `status.addresses` and `status.conditions`; a Pod only its
 *   metadata (NodePortLocal reads its annotation); a Namespace only its metadata;
 * - a ConfigMap whole (an extended ConfigMap holds the cluster set);
 * - of any other object (a Deployment, a VirtualServer of another API group), its apiVersion, kind
 *   and metadata: enough to say it was skipped and why (skipped-objects.ts).
 *
 * The object is not changed: a new top-level object and metadata are made, sharing the rest.
 */
import { isRecord } from '../lib/is-record.js';
import { API_VERSION } from './kinds.js';
import { isKnownKind } from './types.js';
import type { KnownKind, KubeObject } from './types.js';

/** ObjectMeta fields nothing in kube-as3 reads. */
const DROPPED_METADATA: ReadonlySet<string> = new Set([
  'managedFields',
  'ownerReferences',
  'finalizers',
  'selfLink',
  'generateName',
  'deletionGracePeriodSeconds',
  'deletionTimestamp',
]);

/** kubectl's copy of the whole object as last applied: every reader ignores it. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Top-level fields kept per kind, when not all but `status`. */
const KEPT_FIELDS: Partial<Record<KnownKind, readonly string[]>> = {
  Pod: [],
  Namespace: [],
  Node: ['spec'],
};

/** Kinds whose `status` is read (the others' is written by controllers, kube-as3 among them). */
const STATUS_READ: Partial<Record<KnownKind, readonly string[]>> = { Node: ['addresses', 'conditions'] };

/** Kinds of other API groups read whole. */
const READ_WHOLE: ReadonlySet<string> = new Set(['v1/ConfigMap']);

/** Whether the metadata holds anything that is dropped. */
function metadataToSlim(metadata: Record<string, unknown>): boolean {
  for (const key of Object.keys(metadata)) if (DROPPED_METADATA.has(key)) return true;
  const annotations = metadata['annotations'];
  return isRecord(annotations) && LAST_APPLIED in annotations;
}

/** The metadata without what is dropped; the same object when nothing is. */
function slimMetadata(metadata: unknown): unknown {
  if (!isRecord(metadata) || !metadataToSlim(metadata)) return metadata;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(metadata)) {
    if (!DROPPED_METADATA.has(key)) out[key] = metadata[key];
  }
  const annotations = metadata['annotations'];
  if (isRecord(annotations) && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...rest } = annotations;
    out['annotations'] = rest;
  }
  return out;
}

/** The fields `keys` of a value; the same object when it has no other. */
function picked(value: unknown, keys: readonly string[]): unknown {
  if (!isRecord(value) || Object.keys(value).every((k) => keys.includes(k))) return value;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** The kind kube-as3 reads this object as, when it does. */
function readKind(obj: Record<string, unknown>): KnownKind | undefined {
  const kind = obj['kind'];
  return isKnownKind(kind) && API_VERSION[kind] === obj['apiVersion'] ? kind : undefined;
}

/** What is kept of one top-level field: its value, a smaller value, or undefined (dropped). */
function keptField(key: string, value: unknown, kind: KnownKind | undefined, whole: boolean): unknown {
  if (key === 'apiVersion' || key === 'kind') return value;
  if (key === 'metadata') return slimMetadata(value);
  if (key === 'status') {
    const read = kind === undefined ? undefined : STATUS_READ[kind];
    if (read) return picked(value, read);
    return whole && kind === undefined ? value : undefined;
  }
  const kept = kind === undefined ? undefined : KEPT_FIELDS[kind];
  return whole && (kept === undefined || kept.includes(key)) ? value : undefined;
}

/**
 * The object with only what kube-as3 reads of it (see above): the same object when nothing is
 * dropped (objects written by hand), so those cost no copy.
 */
export function slimObject(obj: KubeObject): KubeObject {
  const source = obj as KubeObject & Record<string, unknown>;
  const kind = readKind(source);
  const whole = kind !== undefined || READ_WHOLE.has(`${String(source['apiVersion'])}/${String(source['kind'])}`);
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const key of Object.keys(source)) {
    const value = source[key];
    const kept = keptField(key, value, kind, whole);
    if (kept !== value) changed = true;
    if (kept !== undefined) out[key] = kept;
  }
  return changed ? (out as KubeObject) : obj;
}
