/**
 * The fields a CustomResourceDefinition allows, taken from its OpenAPI v3 schema, so that the
 * known names of kube-as3's own kinds have one source of truth: the CRDs in `crds/`. Only the
 * structure matters here (which keys an object may hold, what a list holds); types, patterns and
 * CEL rules are left to the API server and to the normalizers.
 */
import { isRecord } from '../lib/is-record.js';

export interface FieldSchema {
  /** The keys an object may hold, each with its own schema; undefined when the value is not an object with fixed keys. */
  properties?: ReadonlyMap<string, FieldSchema>;
  /** The schema of every value of a map (`additionalProperties`): any key is allowed. */
  values?: FieldSchema;
  /** The schema of each item of a list. */
  items?: FieldSchema;
  /** `x-kubernetes-preserve-unknown-fields: true`: any key is kept, nothing below it is checked. */
  preserveUnknown?: boolean;
}

/** The field structure of an OpenAPI v3 schema object (`openAPIV3Schema` or any part of it). */
export function fieldSchemaOf(schema: unknown): FieldSchema {
  if (!isRecord(schema)) return { preserveUnknown: true };
  const out: FieldSchema = {};
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) out.preserveUnknown = true;
  const properties = schema['properties'];
  if (isRecord(properties)) {
    out.properties = new Map(Object.entries(properties).map(([key, value]) => [key, fieldSchemaOf(value)]));
  } else if (schema['type'] === 'object' && schema['additionalProperties'] === undefined) {
    // An object without properties holds no fields (the API server prunes them all), unless it preserves them.
    out.properties = new Map();
  }
  const additional = schema['additionalProperties'];
  if (additional === true) out.values = { preserveUnknown: true };
  else if (isRecord(additional)) out.values = fieldSchemaOf(additional);
  if (schema['items'] !== undefined) out.items = fieldSchemaOf(schema['items']);
  return out;
}

/** What one CRD document defines: its kind and served versions, each with its field structure. */
export interface CrdFields {
  group: string;
  kind: string;
  /** `group/version` → the schema of objects of that version. */
  versions: ReadonlyMap<string, FieldSchema>;
}

/**
 * The kind and per-version field structure of an `apiextensions.k8s.io/v1` CRD document;
 * undefined for anything else.
 */
export function crdFieldsOf(document: unknown): CrdFields | undefined {
  if (!isRecord(document) || document['kind'] !== 'CustomResourceDefinition') return undefined;
  const spec = document['spec'];
  if (!isRecord(spec) || typeof spec['group'] !== 'string' || !isRecord(spec['names']) || !Array.isArray(spec['versions']))
    return undefined;
  const kind = spec['names']['kind'];
  if (typeof kind !== 'string') return undefined;
  const versions = new Map<string, FieldSchema>();
  for (const version of spec['versions']) {
    if (!isRecord(version) || typeof version['name'] !== 'string' || version['served'] === false) continue;
    const schema = isRecord(version['schema']) ? version['schema']['openAPIV3Schema'] : undefined;
    versions.set(`${spec['group']}/${version['name']}`, fieldSchemaOf(schema));
  }
  return { group: spec['group'], kind, versions };
}

/** The field structure of each custom resource version, by `crdSchemaKey(apiVersion, kind)`. */
export type CrdSchemas = ReadonlyMap<string, FieldSchema>;

export function crdSchemaKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** The schemas of every served version of the CRDs among `documents` (other documents are ignored). */
export function crdSchemasOf(documents: readonly unknown[]): CrdSchemas {
  const out = new Map<string, FieldSchema>();
  for (const document of documents) {
    const crd = crdFieldsOf(document);
    if (!crd) continue;
    for (const [apiVersion, schema] of crd.versions) out.set(crdSchemaKey(apiVersion, crd.kind), schema);
  }
  return out;
}
