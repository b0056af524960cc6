/**
 * The Kubernetes API access `kube-as3 run` needs, in one place: the Helm chart's ClusterRole and
 * Role hold exactly these rules (test/helm-chart.test.ts renders the chart and compares), and the
 * RBAC list in docs/controller.md points here. Each rule names the code that makes the calls.
 */
import { API_VERSION } from '../kube/kinds.js';
import type { KnownKind } from '../kube/types.js';
import { WATCHED_KINDS } from '../watch/cluster-watch.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function group(kind: KnownKind): string {
  const apiVersion = API_VERSION[kind];
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/**
 * One `list`/`watch` rule per API group, over the watches of cluster-watch.ts (their groups from
 * kinds.ts). Pods are watched only in `nodeportlocal` mode (cluster-watch.ts), so only then granted.
 */
function watchRules(podsWatched: boolean): PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const { kind, plural } of WATCHED_KINDS) {
    if (kind === 'Pod' && !podsWatched) continue;
    byGroup.set(group(kind), [...(byGroup.get(group(kind)) ?? []), plural]);
  }
  return [...byGroup].map(([apiGroup, resources]) => ({ apiGroups: [apiGroup], resources, verbs: ['list', 'watch'] }));
}

/**
 * Cluster-wide rules (a ClusterRole), on every cluster kube-as3 reads, for the config's
 * `poolMemberType` (the chart renders both from the same values, so a mode change changes both):
 * - the watches (src/watch/cluster-watch.ts); Pods only in `nodeportlocal` mode;
 * - status patches (src/adapters/kube-status-writer.ts: merge patches of `/status`);
 * - Events on the resources they are about, in their namespaces (src/adapters/kube-event-recorder.ts).
 */
export function clusterRules(poolMemberType: string | undefined): PolicyRule[] {
  return [
    ...watchRules(poolMemberType === 'nodeportlocal'),
    { apiGroups: [''], resources: ['services/status'], verbs: ['patch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['patch'] },
    { apiGroups: ['cis.f5.com'], resources: ['virtualservers/status', 'transportservers/status'], verbs: ['patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  ];
}

/**
 * Rules in the controller's own namespace (a Role), on the local cluster only:
 * - the leader Lease `kube-as3-<as3.instance>` (src/adapters/leader-election.ts: read, create, replace);
 * - the IPAMAllocation `kube-as3-<as3.instance>` (src/adapters/kube-ipam-store.ts: get, create, replace).
 */
export const NAMESPACED_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: ['kube-as3.dev'], resources: ['ipamallocations'], verbs: ['get', 'create', 'update'] },
];

/**
 * Rules for the objects the config names (src/cli/run-command.ts, read once at start): each remote
 * cluster's kubeconfig Secret and the CIS extended ConfigMap, `get` by name only, in their own
 * namespaces. Returned by namespace, one Role each.
 */
export function referencedObjectRules(
  multiCluster: { clusters?: Array<{ kubeconfigSecret?: string }>; extendedSpecConfigMap?: string } | undefined,
): Map<string, PolicyRule[]> {
  const byNamespace = new Map<string, { secrets: string[]; configmaps: string[] }>();
  const add = (ref: string, resource: 'secrets' | 'configmaps'): void => {
    const [namespace = '', name = ''] = ref.split('/');
    const entry = byNamespace.get(namespace) ?? { secrets: [], configmaps: [] };
    if (!entry[resource].includes(name)) entry[resource].push(name);
    byNamespace.set(namespace, entry);
  };
  for (const c of multiCluster?.clusters ?? []) if (c.kubeconfigSecret) add(c.kubeconfigSecret, 'secrets');
  if (multiCluster?.extendedSpecConfigMap) add(multiCluster.extendedSpecConfigMap, 'configmaps');
  const result = new Map<string, PolicyRule[]>();
  for (const [namespace, names] of byNamespace) {
    result.set(
      namespace,
      (['secrets', 'configmaps'] as const)
        .filter((r) => names[r].length > 0)
        .map((r) => ({ apiGroups: [''], resources: [r], verbs: ['get'], resourceNames: names[r] })),
    );
  }
  return result;
}
