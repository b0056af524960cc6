import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';

/** Source NAT as AS3 expresses it. */
export type Snat = 'auto' | 'none' | 'self' | { bigip: string };

export type MonitorModel =
  | {
      type: 'http' | 'https' | 'tcp' | 'udp';
      send?: string;
      receive?: string;
      interval?: number;
      timeout?: number;
      targetPort?: number;
    }
  | { bigip: string };

/** A Service port reference as a resource wrote it. */
export interface BackendRef {
  namespace: string;
  service: string;
  servicePort: number | string;
  /** nodeport members only from nodes with this label (`key=value`; `key=` for an empty value). */
  nodeMemberLabel?: string;
  /** Members that are always in the pool (`staticPoolMembers`), sorted. */
  staticMembers?: Array<{ address: string; port: number }>;
}

/** One host/path → backend route of an HTTP virtual, or the single backend of an L4 virtual. */
export interface Route {
  /** Lower-case host, possibly `*.example.com`; absent = any host. */
  host?: string;
  /** Normalized path: `/` or `/seg1/seg2` (no trailing slash). */
  path: string;
  backend: BackendRef;
  monitors: MonitorModel[];
  /** The field the route came from, for messages (`spec.pools[1]`). */
  field: string;
  source: ObjectRef;
}

export type VirtualType = 'http' | 'tcp' | 'udp';

/**
 * What one resource asks for on one address and port: the unit that grouping, conflict
 * detection and translation work on.
 */
export interface VirtualClaim {
  source: ObjectRef;
  object: KubeObject;
  type: VirtualType;
  /** TransportServer `mode: performance` maps to AS3 Service_L4. */
  l4Mode?: 'standard' | 'performance';
  partition: string;
  address: string;
  port: number;
  /** User-chosen virtual name (`virtualServerName`), without the port suffix. */
  virtualName?: string;
  snat: Snat;
  routes: Route[];
}

/** Claims that share an address, port and protocol: one AS3 application. */
export interface VirtualGroup {
  /** `<partition>/<application>`. */
  id: string;
  partition: string;
  application: string;
  /** The AS3 service (BIG-IP virtual server) name inside the application. */
  virtualName: string;
  type: VirtualType;
  l4Mode?: 'standard' | 'performance';
  address: string;
  port: number;
  snat: Snat;
  /** Oldest first; the first claim owns the address and port. */
  claims: VirtualClaim[];
}
