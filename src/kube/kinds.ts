/**
 * Where each kind kube-as3 reads lives in the Kubernetes API, in one place for the offline inputs
 * (populate.ts) and the live watches (cluster-watch.ts), so both accept and store the same objects.
 */
import type { KnownKind, KubeObject } from './types.js';

/** The API group/version each kind is read from; a `VirtualServer` of another group (NGINX's, say) is not ours. */
export const API_VERSION: Readonly<Record<KnownKind, string>> = {
  Node: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  Secret: 'v1',
  Pod: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  VirtualServer: 'cis.f5.com/v1',
  TransportServer: 'cis.f5.com/v1',
  TLSProfile: 'cis.f5.com/v1',
  Policy: 'cis.f5.com/v1',
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
};

const CLUSTER_SCOPED: ReadonlySet<KnownKind> = new Set<KnownKind>(['Node', 'Namespace', 'IngressClass']);

export function isClusterScoped(kind: KnownKind): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The namespace an object is stored under: '' for cluster-scoped kinds, `default` when a namespaced object names none. */
export function storedNamespace(kind: KnownKind, obj: KubeObject): string {
  return isClusterScoped(kind) ? '' : obj.metadata?.namespace || 'default';
}
