/** The controller's configuration (docs/config.md), after validation and defaults. */

export type PoolMemberType = 'nodeport' | 'cluster' | 'nodeportlocal' | 'auto';
export type AdminState = 'enable' | 'disable' | 'offline' | 'no-pool';

export interface ClusterConfig {
  name: string;
  kubeconfigFile?: string;
  kubeconfigSecret?: string;
  ratio: number;
  adminState: AdminState;
  primary: boolean;
}

/**
 * How the clusters' members make up a pool:
 * - `default`: CIS's default mode: a pool takes the local cluster's members, or the ones its
 *   `multiClusterServices` list;
 * - `active-active`: one pool with the members of every cluster that has the Service;
 * - `active-standby`: the same, the primary cluster's members in the highest priority group;
 * - `ratio`: member ratios give each cluster its ratio's share of the traffic.
 */
export type MultiClusterMode = 'default' | 'active-active' | 'active-standby' | 'ratio';

export interface MultiClusterConfig {
  mode: MultiClusterMode;
  /** The cluster `-f` inputs (and the controller's own kubeconfig) belong to; default: the first. */
  localClusterName?: string;
  /** `ns/name` of a CIS extended ConfigMap (key `extendedSpec`) that gives the cluster set. */
  extendedSpecConfigMap?: string;
  /** In precedence order: a resource found in several clusters is taken from the earliest. */
  clusters: ClusterConfig[];
}

export interface Config {
  bigip: {
    url?: string;
    /** Default tenant (BIG-IP partition) for resources that do not name one. */
    partition: string;
    insecure: boolean;
    caFile?: string;
    credentialsDir?: string;
  };
  poolMemberType: PoolMemberType;
  nodeLabelSelector: string;
  useNodeInternal: boolean;
  /** Cordoned nodes stay pool members (as in CIS) unless this is false. */
  includeUnschedulableNodes: boolean;
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  namespaceLabel?: string;
  customResourceLabel: string;
  /** IngressClass name this controller serves (its IngressClass must name controller f5.com/cntr-ingress-svcs). */
  ingressClass: string;
  /** Ingresses without a class are left alone even when our IngressClass is the cluster default. */
  manageIngressClassOnly: boolean;
  /**
   * The virtual address of Ingresses without `virtual-server.f5.com/ip` (or with the value
   * `controller-default`), as CIS's `--default-ingress-ip`: they share its virtual, host by host.
   */
  defaultIngressAddress?: string;
  /** Instead of one shared address: each such Ingress gets its own address from this IPAM label. */
  defaultIngressIpamLabel?: string;
  /** `spec.loadBalancerClass` of the LoadBalancer Services this controller serves. */
  loadBalancerClass?: string;
  /** Services without a loadBalancerClass are left alone (otherwise they are served, as in CIS). */
  manageLoadBalancerClassOnly: boolean;
  /**
   * Several clusters behind one BIG-IP (docs/multi-cluster.md). The cluster set is `clusters`, or imported from
   * the CIS extended ConfigMap `extendedSpecConfigMap` (`ns/name`, read from the local cluster).
   */
  multiCluster?: MultiClusterConfig;
  /**
   * `reallocate`: move a key whose address is outside its label's ranges, or whose label changed,
   * to a new address; off (the default), the key keeps its address with a warning.
   */
  ipam: { ranges: Record<string, string[]>; reallocate?: boolean };
  as3: {
    /** `schemaVersion` written into declarations (never above the device's `schemaCurrent`). */
    schemaVersion: string;
    /** Names this controller instance in the ownership marker of every tenant it writes. */
    instance: string;
    postDelayMs: number;
    maxRetries: number;
    asyncThresholdMs: number;
    schemaFile?: string;
    /**
     * Where the compiled `schemaFile` is cached between starts (as3-validator-cache.ts); by
     * default `$XDG_CACHE_HOME/kube-as3` or `~/.cache/kube-as3`.
     */
    schemaCacheDir?: string;
  };
}
