import { jsonEqual } from '../lib/json-equal.js';
import { refOf } from '../kube/refs.js';
import type { KnownKind, KubeObject, Service } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { Inventory } from './inventory.js';
import type { ClusterEntry } from './cluster-set.js';

/**
 * What the planner reads resources and their configuration objects from: one cluster
 * (ClusterState) or the merged view of several. Revisions are opaque tokens compared for
 * equality; they change whenever the object (or, for the aggregates, any such object) changes.
 */
export interface ResourceView extends Inventory {
  revisionOf(kind: KnownKind, namespace: string, name: string): number | string;
  readonly resourceRevision: number | string;
  readonly secretRevision: number | string;
}

/** The kinds that are applications of their own: a copy in a later cluster must match the first. */
const RESOURCE_KINDS: readonly KnownKind[] = ['VirtualServer', 'TransportServer', 'Ingress', 'Service'];

/** Annotations that say nothing about the resource's meaning (kubectl's copy of the last apply). */
const IGNORED_ANNOTATIONS: ReadonlySet<string> = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

function meaningfulAnnotations(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.metadata?.annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!IGNORED_ANNOTATIONS.has(k)) out[k] = v;
  }
  return out;
}

/**
 * What must agree between copies of a resource. A Service's node ports, cluster IPs and the like
 * differ per cluster by nature; its type, class, ports and annotations say what the virtual is.
 */
function comparable(kind: KnownKind, obj: KubeObject): unknown {
  if (kind === 'Service') {
    const spec = (obj as Service).spec ?? {};
    const ports = (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
    return { type: spec.type, loadBalancerClass: spec.loadBalancerClass ?? null, ports, annotations: meaningfulAnnotations(obj) };
  }
  return { spec: (obj as { spec?: unknown }).spec ?? null, labels: obj.metadata?.labels ?? {}, annotations: meaningfulAnnotations(obj) };
}

/**
 * The objects of several clusters as one inventory: an object (kind/namespace/name) found in
 * several clusters is the earliest-listed cluster's copy (docs/multi-cluster.md). Used for the resources and
 * what they read (TLSProfiles, Secrets, Policies, IngressClasses, Namespaces); pool members are
 * resolved per cluster instead. Built per plan; lists are computed once per kind.
 */
export class MergedView implements ResourceView {
  private readonly lists = new Map<KnownKind, KubeObject[]>();

  constructor(private readonly clusters: readonly ClusterEntry[]) {}

  get<T extends KubeObject>(kind: KnownKind, namespace: string, name: string): T | undefined {
    for (const c of this.clusters) {
      const obj = c.state.get<T>(kind, namespace, name);
      if (obj) return obj;
    }
    return undefined;
  }

  list<T extends KubeObject>(kind: KnownKind): T[] {
    let merged = this.lists.get(kind);
    if (!merged) {
      const byKey = new Map<string, KubeObject>();
      for (const c of this.clusters) {
        for (const [key, entry] of c.state.entriesOf(kind)) if (!byKey.has(key)) byKey.set(key, entry.obj);
      }
      merged = [...byKey.values()];
      this.lists.set(kind, merged);
    }
    return merged as T[];
  }

  revisionOf(kind: KnownKind, namespace: string, name: string): string | number {
    for (let i = 0; i < this.clusters.length; i++) {
      const revision = (this.clusters[i] as ClusterEntry).state.revisionOf(kind, namespace, name);
      if (revision !== 0) return `${i}:${revision}`;
    }
    return 0;
  }

  get resourceRevision(): string {
    return this.clusters.map((c) => c.state.resourceRevision).join(',');
  }

  get secretRevision(): string {
    return this.clusters.map((c) => c.state.secretRevision).join(',');
  }

  /**
   * A copy of a resource in a later cluster that differs from the copy used: an error on that
   * copy (it is not applied), naming the cluster whose copy is. Equal copies are simply one
   * application. `served` limits the check to resources this controller serves.
   */
  conflicts(served: (kind: KnownKind, obj: KubeObject) => boolean): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const kind of RESOURCE_KINDS) {
      // The first copy's comparable view is computed only when a later copy shows up.
      const first = new Map<string, { cluster: string; obj: KubeObject; view?: unknown; resource: boolean }>();
      for (const c of this.clusters) {
        for (const [key, { obj }] of c.state.entriesOf(kind)) {
          // Any Service may be a backend (of the same name in every cluster); only a LoadBalancer copy is a resource.
          const resource = kind !== 'Service' || (obj as Service).spec?.type === 'LoadBalancer';
          const used = first.get(key);
          if (!used) {
            first.set(key, { cluster: c.name, obj, resource });
            continue;
          }
          if (!resource || !served(kind, obj)) continue;
          used.view ??= comparable(kind, used.obj);
          if (used.resource && jsonEqual(used.view, comparable(kind, obj))) continue;
          out.push(
            diagnostic(
              refOf(obj, c.name),
              'error',
              used.resource
                ? `differs from the copy in cluster ${used.cluster}, which comes first in the cluster list and is the one used; this copy is ignored until they match; make the copies the same, or rename one`
                : `is ignored: cluster ${used.cluster}, first in the cluster list, has a Service of this name that is not a LoadBalancer, and the first copy decides; make both LoadBalancer Services, or rename one`,
            ),
          );
        }
      }
    }
    return out;
  }
}
