import type { KnownKind, KubeObject } from '../kube/types.js';

/** Read access to one cluster's objects, as normalizers need it (ClusterState provides it). */
export interface Inventory {
  get<T extends KubeObject>(kind: KnownKind, namespace: string, name: string): T | undefined;
  list<T extends KubeObject>(kind: KnownKind): T[];
}
