import type { KnownKind, KubeObject } from '../kube/types.js';
import { isKnownKind } from '../kube/types.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import { refOf } from '../kube/refs.js';
import { ClusterState } from './cluster-state.js';

/** API groups each kind is read from; a `VirtualServer` of another group (NGINX's, say) is not ours. */
const API_VERSIONS: Record<KnownKind, readonly string[]> = {
  Node: ['v1'],
  Namespace: ['v1'],
  Service: ['v1'],
  Secret: ['v1'],
  Pod: ['v1'],
  EndpointSlice: ['discovery.k8s.io/v1'],
  VirtualServer: ['cis.f5.com/v1'],
  TransportServer: ['cis.f5.com/v1'],
  TLSProfile: ['cis.f5.com/v1'],
  Policy: ['cis.f5.com/v1'],
  Ingress: ['networking.k8s.io/v1'],
  IngressClass: ['networking.k8s.io/v1'],
};

/** CIS kinds a later version will read: reported, never dropped silently. */
const LATER_CIS_KINDS: ReadonlySet<string> = new Set(['ExternalDNS', 'IngressLink']);

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Node', 'Namespace', 'IngressClass']);

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
    if (!isKnownKind(kind) || !API_VERSIONS[kind].includes(obj.apiVersion ?? '')) {
      if (obj.apiVersion === 'cis.f5.com/v1' && typeof kind === 'string' && LATER_CIS_KINDS.has(kind)) {
        diagnostics.push(diagnostic(refOf(obj), 'warning', `${kind} is not supported by this version of kube-as3 and was ignored`));
      }
      continue;
    }
    const meta = obj.metadata ?? {};
    if (typeof meta.name !== 'string' || meta.name === '') {
      diagnostics.push(diagnostic(refOf(obj), 'error', 'has no metadata.name and was skipped', 'metadata.name'));
      continue;
    }
    const namespace = CLUSTER_SCOPED.has(kind) ? '' : meta.namespace || 'default';
    const normalized: KubeObject = namespace === (meta.namespace ?? '') ? obj : { ...obj, metadata: { ...meta, namespace } };
    if (state.get(kind, namespace, meta.name)) {
      diagnostics.push(diagnostic(refOf(normalized), 'warning', 'defined more than once in the inputs; the last definition is used'));
    }
    state.upsert(normalized, kind);
  }
  return { state, diagnostics };
}
