import type { AdminState, Config, MultiClusterMode } from '../config/config.js';
import { ClusterState } from './cluster-state.js';

/** `single`: one cluster, no multi-cluster configuration (members carry no cluster marks). */
export type ClusterSetMode = MultiClusterMode | 'single';

/** One cluster of a set, with what the configuration says about it. */
export interface ClusterEntry {
  name: string;
  state: ClusterState;
  /** Share of traffic in `ratio` mode, relative to the other clusters that have the Service. */
  ratio: number;
  adminState: AdminState;
  /** Failover order in `active-standby`: 0 for the primary, then 1, 2, … in list order. */
  rank: number;
  /**
   * Why the cluster cannot be read now. Its `state` holds what was last known (offline: nothing);
   * pools keep its members from the BIG-IP's current declaration (see carry-over.ts).
   */
  unreadable?: string;
}

/**
 * The clusters one plan is made from, in precedence order: a resource found in several clusters
 * is taken from the earliest. A single cluster without multi-cluster configuration is the set of
 * one `single` cluster, so the planner has one code path.
 */
export class ClusterSet {
  private constructor(
    readonly mode: ClusterSetMode,
    readonly clusters: readonly ClusterEntry[],
    readonly localName: string,
  ) {}

  static single(state: ClusterState): ClusterSet {
    return new ClusterSet('single', [{ name: state.name, state, ratio: 1, adminState: 'enable', rank: 0 }], state.name);
  }

  /**
   * The configured clusters, each with its state (a cluster without one is unreadable: an empty
   * state and the reason). The primary is the cluster marked `primary`, else the local cluster.
   */
  static fromConfig(
    multiCluster: NonNullable<Config['multiCluster']>,
    states: ReadonlyMap<string, ClusterState>,
    unreadable: ReadonlyMap<string, string> = new Map(),
  ): ClusterSet {
    const configured = multiCluster.clusters;
    const localName = multiCluster.localClusterName ?? configured[0]?.name ?? 'local';
    const primary = configured.find((c) => c.primary)?.name ?? localName;
    const order = [primary, ...configured.map((c) => c.name).filter((n) => n !== primary)];
    const clusters = configured.map((c): ClusterEntry => {
      const state = states.get(c.name);
      const reason = unreadable.get(c.name) ?? (state ? undefined : 'no input was given for it');
      return {
        name: c.name,
        state: state ?? new ClusterState(c.name),
        ratio: c.ratio,
        adminState: c.adminState,
        rank: order.indexOf(c.name),
        ...(reason === undefined ? {} : { unreadable: reason }),
      };
    });
    return new ClusterSet(multiCluster.mode, clusters, localName);
  }

  get multi(): boolean {
    return this.mode !== 'single';
  }

  /** Changes when a cluster's ratio, admin state, rank or readability changes: every pool may change then. */
  get signature(): string {
    return (
      this.clusters.map((c) => `${c.name}:${c.ratio}:${c.adminState}:${c.rank}:${c.unreadable === undefined ? '' : 'x'}`).join(',') +
      `/${this.mode}/${this.localName}`
    );
  }
}
