/**
 * Synthetic cluster contents for the benchmark (the workload docs/benchmarks.md describes, the same as the CIS peer
 * benchmark): N VirtualServers, each with its own address:80, one host, one pool at `/app`, one
 * Service (80 → 8080, port name "http") and one EndpointSlice with the endpoints spread over the
 * Nodes. With several clusters, every cluster holds identical copies of the VirtualServers and
 * Services (so the merged view has no conflicts) and its own Nodes, endpoints and Pods, with pod
 * and node addresses no other cluster uses: a pool's members then come from every cluster.
 * Addresses are derived from indexes, so the output is deterministic.
 */
import type { PoolMemberType } from '../src/config/config.js';
import type { EndpointSlice, KubeObject, Node, Service, VirtualServer } from '../src/kube/types.js';

export const NAMESPACE = 'bench';
const CREATED = '2026-01-01T00:00:00Z';

export interface Workload {
  n: number;
  /** Clusters holding the workload (1: the single-cluster case, planned without a cluster set). */
  clusters: number;
  /** Endpoints per Service in each cluster; also the number of Nodes in each cluster (one endpoint per Node). */
  membersPerService: number;
  /**
   * nodeport: NodePort Services; cluster: ClusterIP; nodeportlocal: ClusterIP Services with the
   * Antrea annotation and annotated Pods; auto: even Services ClusterIP, odd ones NodePort.
   */
  mode: PoolMemberType;
}

/** Cluster ratios of the `ratio` scenarios, in cluster order (c1, c2, c3). */
export const RATIOS = [3, 2, 1] as const;

/** Name of cluster `c` (0-based): `bench` when there is only one, else c1, c2, … */
export function clusterName(w: Workload, c: number): string {
  return w.clusters === 1 ? 'bench' : `c${c + 1}`;
}

function isNodePort(i: number, w: Workload): boolean {
  return w.mode === 'nodeport' || (w.mode === 'auto' && i % 2 === 1);
}

/** NodePortLocal port of endpoint k of service i; `generation` > 0 gives a new one for a change. */
export function nplPort(i: number, k: number, generation = 0): number {
  return 61000 + ((i * 7 + k + generation * 13) % 1000);
}

function ipv4(first: number, index: number): string {
  return `${first}.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
}

/** Distinct virtual addresses 10.x.y.z with z in 1..250 (no .0 or .255 hosts). */
export function virtualAddress(i: number): string {
  return `10.${1 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
}

/**
 * Pod address of endpoint k of service i in cluster c; `generation` > 0 gives a fresh address for
 * a change. Every (service, cluster, endpoint) has its own address, so clusters never share members.
 */
export function podAddress(w: Workload, i: number, c: number, k: number, generation = 0): string {
  const m = w.membersPerService;
  // 100.64.0.0/10 holds 4M addresses: the original ones, then one block per change generation.
  return ipv4(100, (64 << 16) + generation * 200_000 + i * m * w.clusters + c * m + k);
}

export const serviceName = (i: number): string => `app-${i}-svc`;

/** Node k of cluster c: 172.16.c.(k+1), so NodePort members of different clusters differ. */
const nodeAddress = (c: number, k: number): string => ipv4(172, (16 << 16) + c * 256 + k + 1);

/** Pod k of service i in cluster c with its Antrea NodePortLocal annotation (nodeportlocal mode only). */
export function pod(i: number, c: number, k: number, generation = 0): KubeObject {
  const mapping = [{ podPort: 8080, nodeIP: nodeAddress(c, k), nodePort: nplPort(i, k, generation), protocol: 'tcp' }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `app-${i}-${k}`,
      namespace: NAMESPACE,
      labels: { app: `app-${i}` },
      annotations: { 'nodeportlocal.antrea.io': JSON.stringify(mapping) },
    },
  };
}

function node(c: number, k: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${k}`, labels: { 'kubernetes.io/os': 'linux' } },
    status: {
      addresses: [
        { type: 'InternalIP', address: nodeAddress(c, k) },
        { type: 'Hostname', address: `node-${k}` },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function virtualServer(i: number): VirtualServer {
  return {
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name: `app-${i}`, namespace: NAMESPACE, labels: { f5cr: 'true' }, creationTimestamp: CREATED },
    spec: {
      host: `app-${i}.example.com`,
      virtualServerAddress: virtualAddress(i),
      pools: [{ path: '/app', service: serviceName(i), servicePort: 80 }],
    },
  };
}

function service(i: number, w: Workload): Service {
  const nodePort = isNodePort(i, w);
  const port = { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, ...(nodePort ? { nodePort: 30000 + (i % 2768) } : {}) };
  const annotations = w.mode === 'nodeportlocal' ? { 'nodeportlocal.antrea.io/enabled': 'true' } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(i), namespace: NAMESPACE, creationTimestamp: CREATED, ...(annotations ? { annotations } : {}) },
    spec: { type: nodePort ? 'NodePort' : 'ClusterIP', selector: { app: `app-${i}` }, ports: [port] },
  };
}

/** The Service's only EndpointSlice in cluster c; `generation` > 0 changes the first endpoint's address. */
export function endpointSlice(i: number, w: Workload, c: number, generation = 0): EndpointSlice {
  const endpoints = Array.from({ length: w.membersPerService }, (_, k) => ({
    addresses: [podAddress(w, i, c, k, k === 0 ? generation : 0)],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: `node-${k}`,
    targetRef: { kind: 'Pod', name: `app-${i}-${k}`, namespace: NAMESPACE },
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${serviceName(i)}-x7k2p`,
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': serviceName(i) },
      resourceVersion: String(generation + 1),
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/**
 * Everything cluster c holds for the workload, in the order a LIST would deliver it. Each call
 * builds new objects: clusters share no object, as informers of different clusters would not.
 */
export function generateObjects(w: Workload, c = 0): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let k = 0; k < w.membersPerService; k++) objects.push(node(c, k));
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (let i = 0; i < w.n; i++) {
    objects.push(service(i, w), endpointSlice(i, w, c));
    if (w.mode === 'nodeportlocal') for (let k = 0; k < w.membersPerService; k++) objects.push(pod(i, c, k));
  }
  for (let i = 0; i < w.n; i++) objects.push(virtualServer(i));
  return objects;
}
