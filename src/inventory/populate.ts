import type { KubeObject } from '../kube/types.js';
import { isKnownKind } from '../kube/types.js';
import { API_VERSION, storedNamespace } from '../kube/kinds.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import { refOf } from '../kube/refs.js';
import { ClusterState } from './cluster-state.js';

/** CIS kinds a later version will read: reported, never dropped silently. */
const LATER_CIS_KINDS: ReadonlySet<string> = new Set(['ExternalDNS', 'IngressLink']);

/**
 * Builds a cluster's state from a list of objects (offline inputs). Objects of other kinds or API
 * groups are skipped silently: manifest folders usually hold Deployments and more. Objects
 * without a name, and a second copy of the same object, are reported.
 */
export function populateCluster(name: string, objects: KubeObject[]): { state: ClusterState; diagnostics: Diagnostic[] } {
  const state = new ClusterState(name);
  const diagnostics: Diagnostic[] = [];
  for (const obj of objects) {
    const kind = obj.kind;
    if (!isKnownKind(kind) || API_VERSION[kind] !== obj.apiVersion) {
      if (obj.apiVersion === API_VERSION.VirtualServer && typeof kind === 'string' && LATER_CIS_KINDS.has(kind)) {
        diagnostics.push(diagnostic(refOf(obj), 'warning', `${kind} is not supported by this version of kube-as3 and was ignored`));
      }
      continue;
    }
    const meta = obj.metadata ?? {};
    if (typeof meta.name !== 'string' || meta.name === '') {
      diagnostics.push(diagnostic(refOf(obj), 'error', 'has no metadata.name and was skipped', 'metadata.name'));
      continue;
    }
    const namespace = storedNamespace(kind, obj);
    const normalized: KubeObject = namespace === (meta.namespace ?? '') ? obj : { ...obj, metadata: { ...meta, namespace } };
    if (state.get(kind, namespace, meta.name)) {
      diagnostics.push(diagnostic(refOf(normalized), 'warning', 'defined more than once in the inputs; the last definition is used'));
    }
    state.upsert(normalized, kind);
  }
  return { state, diagnostics };
}
