import type { KubeObject } from '../kube/types.js';
import { isKnownKind } from '../kube/types.js';
import { API_VERSION, storedNamespace } from '../kube/kinds.js';
import { crdSchemaKey } from '../kube/crd-fields.js';
import type { CrdSchemas } from '../kube/crd-fields.js';
import { skipWarning } from '../kube/skipped-objects.js';
import { unknownFieldWarnings } from '../kube/unknown-fields.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import { refOf } from '../kube/refs.js';
import { ClusterState } from './cluster-state.js';

export interface PopulateOptions {
  /**
   * The CRD schemas of kube-as3's own kinds: objects of those kinds get a warning per field their
   * CRD does not define (what the API server's strict field validation refuses in a cluster).
   */
  crdSchemas?: CrdSchemas;
}

/**
 * Builds a cluster's state from a list of objects (offline inputs). Objects of other kinds or API
 * groups are skipped silently (manifest folders usually hold Deployments and more), except those
 * most likely meant for kube-as3 (a wrong apiVersion or a misspelt kind), which get a warning.
 * Objects without a name, and a second copy of the same object, are reported.
 */
export function populateCluster(
  name: string,
  objects: KubeObject[],
  options: PopulateOptions = {},
): { state: ClusterState; diagnostics: Diagnostic[] } {
  const state = new ClusterState(name);
  const diagnostics: Diagnostic[] = [];
  for (const obj of objects) {
    const kind = obj.kind;
    if (!isKnownKind(kind) || API_VERSION[kind] !== obj.apiVersion) {
      const skipped = skipWarning(obj);
      if (skipped) diagnostics.push(diagnostic(refOf(obj), 'warning', skipped.message, skipped.field));
      continue;
    }
    const meta = obj.metadata ?? {};
    if (typeof meta.name !== 'string' || meta.name === '') {
      diagnostics.push(diagnostic(refOf(obj), 'error', 'has no metadata.name and was skipped', 'metadata.name'));
      continue;
    }
    const namespace = storedNamespace(kind, obj);
    const normalized: KubeObject = namespace === (meta.namespace ?? '') ? obj : { ...obj, metadata: { ...meta, namespace } };
    const schema = options.crdSchemas?.get(crdSchemaKey(API_VERSION[kind], kind));
    if (schema) diagnostics.push(...unknownFieldWarnings(refOf(normalized), obj, schema));
    if (state.get(kind, namespace, meta.name)) {
      diagnostics.push(diagnostic(refOf(normalized), 'warning', 'defined more than once in the inputs; the last definition is used'));
    }
    state.upsert(normalized, kind);
  }
  return { state, diagnostics };
}
