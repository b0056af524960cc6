/**
 * Fields a custom resource holds that its CRD does not define: a typo such as
 * `loadBalancingMetod` would otherwise be dropped without a word. In a cluster the API server's
 * strict field validation refuses them; objects read from files get a warning per field, naming
 * the closest known field when there is one, and are still translated.
 */
import { closestName } from '../lib/closest-name.js';
import { isRecord } from '../lib/is-record.js';
import type { Diagnostic } from './diagnostic.js';
import { diagnostic } from './diagnostic.js';
import type { FieldSchema } from './crd-fields.js';
import type { ObjectRef } from './refs.js';
import type { KubeObject } from './types.js';

/** The fields of Kubernetes' ObjectMeta, which every object's `metadata` may hold (not part of a CRD's schema). */
const OBJECT_META_FIELDS: readonly string[] = [
  'annotations',
  'creationTimestamp',
  'deletionGracePeriodSeconds',
  'deletionTimestamp',
  'finalizers',
  'generateName',
  'generation',
  'labels',
  'managedFields',
  'name',
  'namespace',
  'ownerReferences',
  'resourceVersion',
  'selfLink',
  'uid',
];

/** Top-level fields every object has besides its schema's: `status` is written by controllers, not read as input. */
const TOP_LEVEL_FIELDS: readonly string[] = ['apiVersion', 'kind', 'metadata', 'status'];

export interface UnknownField {
  /** Dotted path, e.g. `spec.pools[0].loadBalancingMetod`. */
  field: string;
  /** The known field it most likely misspells. */
  suggestion?: string;
}

function unknownMessage(suggestion: string | undefined): string {
  return suggestion === undefined ? 'unknown field' : `unknown field; did you mean ${suggestion}?`;
}

function unknown(field: string, suggestion: string | undefined): UnknownField {
  return suggestion === undefined ? { field } : { field, suggestion };
}

function walk(value: unknown, schema: FieldSchema, path: string, out: UnknownField[]): void {
  if (schema.preserveUnknown && !schema.properties) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(item, schema.items as FieldSchema, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const known = schema.properties?.get(key) ?? schema.values;
    if (known) {
      walk(child, known, at, out);
    } else if (schema.properties && !schema.preserveUnknown) {
      out.push(unknown(at, closestName(key, schema.properties.keys())));
    }
  }
}

/** Every field of `obj` that `schema` (its CRD version's) does not define, in document order. */
export function unknownFields(obj: KubeObject, schema: FieldSchema): UnknownField[] {
  const out: UnknownField[] = [];
  const own = schema.properties ?? new Map<string, FieldSchema>();
  const topNames = [...new Set([...TOP_LEVEL_FIELDS, ...own.keys()])];
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'metadata') {
      if (!isRecord(value)) continue;
      for (const metaKey of Object.keys(value)) {
        if (!OBJECT_META_FIELDS.includes(metaKey)) out.push(unknown(`metadata.${metaKey}`, closestName(metaKey, OBJECT_META_FIELDS)));
      }
    } else if (TOP_LEVEL_FIELDS.includes(key)) {
      continue;
    } else {
      const child = own.get(key);
      if (child) walk(value, child, key, out);
      else if (!schema.preserveUnknown) out.push(unknown(key, closestName(key, topNames)));
    }
  }
  return out;
}

/** One warning per unknown field of `obj`, naming the field and the closest known name. */
export function unknownFieldWarnings(ref: ObjectRef, obj: KubeObject, schema: FieldSchema): Diagnostic[] {
  return unknownFields(obj, schema).map((u) => diagnostic(ref, 'warning', unknownMessage(u.suggestion), u.field));
}
