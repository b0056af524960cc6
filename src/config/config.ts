/** The controller's configuration (SPEC §10), after validation and defaults. */

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
  /** `spec.loadBalancerClass` of the LoadBalancer Services this controller serves. */
  loadBalancerClass?: string;
  /** Services without a loadBalancerClass are left alone (otherwise they are served, as in CIS). */
  manageLoadBalancerClassOnly: boolean;
  multiCluster?: {
    mode: 'active-active' | 'active-standby' | 'ratio';
    localClusterName?: string;
    clusters: ClusterConfig[];
  };
  ipam: { ranges: Record<string, string[]> };
  as3: {
    /** `schemaVersion` written into declarations (never above the device's `schemaCurrent`). */
    schemaVersion: string;
    /** Names this controller instance in the ownership marker of every tenant it writes. */
    instance: string;
    postDelayMs: number;
    maxRetries: number;
    asyncThresholdMs: number;
    schemaFile?: string;
  };
}
