/**
 * The field structure of kube-as3's own kinds, from the CRDs the package ships (`crds/`): what
 * the unknown-field warnings of objects read from files compare with. Taken from their structure
 * generated ahead of time (shipped-crds.generated.ts, as JSON: parsing the YAML cost about 100 ms
 * of a start), once per process, and only when an input holds such an object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdSchemasOf } from '../kube/crd-fields.js';
import { parseYamlText } from '../kube/yaml-text.js';
import type { CrdSchemas } from '../kube/crd-fields.js';
import type { KubeObject } from '../kube/types.js';
import { SHIPPED_CRD_STRUCTURES } from './shipped-crds.generated.js';

/** The API group of the custom resources kube-as3 reads (its IPAMAllocation is never read from files). */
const CUSTOM_GROUP = 'cis.f5.com';

/** `crds/` of the package: two levels up from both `src/adapters` and `dist/adapters`. */
export const CRD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crds');

let loaded: CrdSchemas | undefined;

/** Every document of a folder of `.yaml` files, read with the parser of the input files. */
export function readCrdDocuments(dir: string): unknown[] {
  const documents: unknown[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const parsed = parseYamlText(readFileSync(join(dir, file), 'utf8'));
    if (!parsed.ok) throw new Error(`${join(dir, file)}: ${parsed.message}`);
    documents.push(...parsed.values);
  }
  return documents;
}

/** The schemas of the CRDs in a folder of `.yaml` files. */
export function readCrdSchemas(dir: string): CrdSchemas {
  return crdSchemasOf(readCrdDocuments(dir));
}

/** The shipped CRDs' schemas (built on first use). */
export function shippedCrdSchemas(): CrdSchemas {
  loaded ??= crdSchemasOf(SHIPPED_CRD_STRUCTURES);
  return loaded;
}

/** The shipped CRDs' schemas when `objects` hold a custom resource of theirs (read only then). */
export function crdSchemasFor(objects: Iterable<KubeObject>): CrdSchemas | undefined {
  for (const obj of objects) {
    if (typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith(`${CUSTOM_GROUP}/`)) return shippedCrdSchemas();
  }
  return undefined;
}
