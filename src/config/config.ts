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
  ingressClass: string;
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
