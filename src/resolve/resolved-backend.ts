import type { PoolMemberType } from '../config/config.js';
import type { ClusterState } from '../inventory/cluster-state.js';
import type { Severity } from '../kube/diagnostic.js';
import type { Member } from './member.js';
import type { NodeAddress } from './node-addresses.js';

/** What resolving a backend in one cluster needs: the cluster, the member mode, the selected nodes. */
export interface ResolveContext {
  cluster: ClusterState;
  mode: PoolMemberType;
  /** Ready, selected nodes, one address each, in the virtual's family where possible (see onePerNode). */
  nodeAddresses: readonly NodeAddress[];
  /** The virtual's route domain: node members (nodeport, NodePortLocal) are in it too. */
  routeDomain?: number;
}

export interface BackendProblem {
  severity: Severity;
  /** Field below the pool entry, e.g. `servicePort`. */
  field: string;
  message: string;
}

export interface ResolvedBackend {
  members: Member[];
  problems: BackendProblem[];
  /** The Service does not exist (in this cluster). */
  missing?: true;
}
