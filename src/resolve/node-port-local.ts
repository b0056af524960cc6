import type { ClusterState } from '../inventory/cluster-state.js';
import { namespacedName } from '../kube/refs.js';
import type { EndpointSlice, KubeObject, Service, ServicePort } from '../kube/types.js';
import type { BackendProblem, ResolvedBackend } from './resolved-backend.js';
import type { Member } from './member.js';
import { sortMembers } from './member.js';

export const NPL_ENABLED_ANNOTATION = 'nodeportlocal.antrea.io/enabled';
export const NPL_POD_ANNOTATION = 'nodeportlocal.antrea.io';

interface NplEntry {
  podPort: number;
  nodeIP: string;
  nodePort: number;
  protocol?: string;
}

function isEntry(value: unknown): value is NplEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['podPort'] === 'number' &&
    typeof e['nodeIP'] === 'string' &&
    e['nodeIP'] !== '' &&
    typeof e['nodePort'] === 'number' &&
    (e['protocol'] === undefined || typeof e['protocol'] === 'string')
  );
}

/** The pod's NodePortLocal mappings, or a message saying why the annotation is unusable. */
export function parseNplAnnotation(text: string): NplEntry[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (!Array.isArray(value)) return 'must be a JSON list of {podPort, nodeIP, nodePort}';
  const bad = value.findIndex((e) => !isEntry(e));
  if (bad >= 0) return `entry ${bad + 1} must have numeric podPort and nodePort and a nodeIP`;
  return value as NplEntry[];
}

function serviceRefused(service: Service, name: string): BackendProblem | undefined {
  if (service.spec?.type === 'NodePort') {
    return {
      severity: 'error',
      field: 'service',
      message: `Service ${name} is of type NodePort; nodeportlocal pool members need a ClusterIP or LoadBalancer Service`,
    };
  }
  if (service.metadata?.annotations?.[NPL_ENABLED_ANNOTATION] !== 'true') {
    return {
      severity: 'error',
      field: 'service',
      message: `Service ${name} does not have the annotation ${NPL_ENABLED_ANNOTATION}: "true", so Antrea assigns no NodePortLocal ports`,
    };
  }
  return undefined;
}

/** The pods of a slice's ready endpoints. */
function readyPods(slice: EndpointSlice, namespace: string): Array<{ namespace: string; name: string }> {
  const pods: Array<{ namespace: string; name: string }> = [];
  for (const endpoint of slice.endpoints ?? []) {
    const ref = endpoint.targetRef;
    if (endpoint.conditions?.ready === false || ref?.kind !== 'Pod' || !ref.name) continue;
    pods.push({ namespace: ref.namespace ?? namespace, name: ref.name });
  }
  return pods;
}

/** The member one pod contributes for `targetPort`, or the problem that keeps it out. */
function podMember(cluster: ClusterState, namespace: string, name: string, targetPort: number, protocol: string): Member | BackendProblem {
  const podName = namespacedName(namespace, name);
  const annotation = cluster.get<KubeObject>('Pod', namespace, name)?.metadata?.annotations?.[NPL_POD_ANNOTATION];
  const entries = annotation === undefined ? [] : parseNplAnnotation(annotation);
  if (typeof entries === 'string') {
    return {
      severity: 'warning',
      field: 'service',
      message: `Pod ${podName} annotation ${NPL_POD_ANNOTATION} ${entries}; the pod is left out of the pool`,
    };
  }
  const entry = entries.find((e) => e.podPort === targetPort && (e.protocol === undefined || e.protocol.toLowerCase() === protocol));
  if (entry) return { address: entry.nodeIP, port: entry.nodePort };
  return {
    severity: 'warning',
    field: 'service',
    message: `Pod ${podName} has no NodePortLocal mapping for port ${targetPort} yet; it is left out until Antrea assigns one`,
  };
}

/**
 * Antrea NodePortLocal: each ready pod behind the Service (found through its EndpointSlices,
 * which also give the numeric target port) publishes `nodeIP:nodePort` for that port in its
 * `nodeportlocal.antrea.io` annotation. A pod whose annotation is malformed is left out with an
 * error naming it; a pod without a mapping yet is left out with a warning; the others are used.
 */
export function nodePortLocalMembers(cluster: ClusterState, service: Service, port: ServicePort): ResolvedBackend {
  const namespace = service.metadata?.namespace ?? '';
  const name = namespacedName(namespace, service.metadata?.name ?? '');
  const refused = serviceRefused(service, name);
  if (refused) return { members: [], problems: [refused] };
  const protocol = (port.protocol ?? 'TCP').toLowerCase();
  const members: Member[] = [];
  const problems: BackendProblem[] = [];
  for (const slice of cluster.slicesOf(namespace, service.metadata?.name ?? '')) {
    const targetPort = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? ''))?.port;
    if (typeof targetPort !== 'number') continue;
    for (const pod of readyPods(slice, namespace)) {
      const found = podMember(cluster, pod.namespace, pod.name, targetPort, protocol);
      if ('address' in found) members.push(found);
      else problems.push(found);
    }
  }
  return { members: sortMembers(members), problems };
}
