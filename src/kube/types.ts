/**
 * The parts of Kubernetes objects kube-as3 reads. Objects arrive as parsed JSON/YAML, so every
 * field is optional here and checked where it is used: the core never trusts input shape.
 */

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  uid?: string;
  /** Bumped by the API server on every change of the spec (custom resources, Ingresses). */
  generation?: number;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    externalTrafficPolicy?: string;
    loadBalancerClass?: string;
  };
}

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
    nodeName?: string;
    targetRef?: { kind?: string; name?: string; namespace?: string };
  }>;
  ports?: Array<{ name?: string | null; port?: number | null; protocol?: string }>;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: {
    addresses?: Array<{ type?: string; address?: string }>;
    conditions?: Array<{ type?: string; status?: string }>;
  };
}

export type Namespace = KubeObject;

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export interface MonitorSpec {
  type?: string;
  sslProfile?: string;
  send?: string;
  recv?: string;
  interval?: number;
  timeout?: number;
  targetPort?: number;
  timeUntilUp?: number;
  name?: string;
  reference?: string;
}

export interface VirtualServerPoolSpec {
  name?: string;
  path?: string;
  service?: string;
  serviceNamespace?: string;
  servicePort?: number | string;
  monitor?: MonitorSpec;
  monitors?: MonitorSpec[];
  nodeMemberLabel?: string;
  staticPoolMembers?: Array<{ address?: string; port?: number }>;
  [field: string]: unknown;
}

export interface VirtualServer extends KubeObject {
  spec?: {
    host?: string;
    virtualServerAddress?: string;
    virtualServerName?: string;
    virtualServerHTTPPort?: number;
    ipamLabel?: string;
    snat?: string;
    partition?: string;
    pools?: VirtualServerPoolSpec[];
    [field: string]: unknown;
  };
}

export interface TransportServer extends KubeObject {
  spec?: {
    virtualServerAddress?: string;
    virtualServerPort?: number;
    virtualServerName?: string;
    ipamLabel?: string;
    type?: string;
    mode?: string;
    snat?: string;
    partition?: string;
    pool?: VirtualServerPoolSpec;
    [field: string]: unknown;
  };
}

/** cis.f5.com/v1 TLSProfile: how an HTTPS virtual terminates TLS (fields checked where read). */
export interface TLSProfile extends KubeObject {
  spec?: Record<string, unknown>;
}

/** cis.f5.com/v1 Policy: profiles and policies shared by the virtuals that name it. */
export interface Policy extends KubeObject {
  spec?: Record<string, unknown>;
}

export interface IngressBackend {
  service?: { name?: string; port?: { number?: number; name?: string } };
  resource?: unknown;
}

export interface Ingress extends KubeObject {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: Array<{ hosts?: string[]; secretName?: string }>;
    rules?: Array<{
      host?: string;
      http?: { paths?: Array<{ path?: string; pathType?: string; backend?: IngressBackend }> };
    }>;
  };
}

export interface IngressClass extends KubeObject {
  spec?: { controller?: string; parameters?: unknown };
}

/** Kinds kube-as3 keeps in its inventory, by their `kind` field. */
export const KNOWN_KINDS = [
  'Node',
  'Namespace',
  'Service',
  'EndpointSlice',
  'Secret',
  'Pod',
  'VirtualServer',
  'TransportServer',
  'TLSProfile',
  'Policy',
  'Ingress',
  'IngressClass',
] as const;
export type KnownKind = (typeof KNOWN_KINDS)[number];

export function isKnownKind(kind: unknown): kind is KnownKind {
  return typeof kind === 'string' && (KNOWN_KINDS as readonly string[]).includes(kind);
}
