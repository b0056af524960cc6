/**
 * Synthetic cluster contents for the benchmark (SPEC §12 workload, the same as the CIS peer
 * benchmark): N VirtualServers, each with its own address:80, one host, one pool at `/app`, one
 * Service (80 → 8080, port name "http") and one EndpointSlice with the endpoints spread over the
 * Nodes. Addresses are derived from indexes, so the output is deterministic.
 */
import type { PoolMemberType } from '../src/config/config.js';
import type { EndpointSlice, KubeObject, Node, Service, VirtualServer } from '../src/kube/types.js';

export const NAMESPACE = 'bench';
const CREATED = '2026-01-01T00:00:00Z';

export interface Workload {
  n: number;
  /** Endpoints per Service; also the number of Nodes (one endpoint per Node). */
  membersPerService: number;
  /**
   * nodeport: NodePort Services; cluster: ClusterIP; nodeportlocal: ClusterIP Services with the
   * Antrea annotation and annotated Pods; auto: even Services ClusterIP, odd ones NodePort.
   */
  mode: PoolMemberType;
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

/** Pod address of endpoint k of service i; `generation` > 0 gives a fresh address for a change. */
export function podAddress(i: number, k: number, m: number, generation = 0): string {
  // 100.64.0.0/10 holds 4M addresses: the original ones, then one block per change generation.
  return ipv4(100, (64 << 16) + generation * 200_000 + i * m + k);
}

export const serviceName = (i: number): string => `app-${i}-svc`;

const nodeAddress = (k: number): string => ipv4(172, (16 << 16) + k + 1);

/** Pod k of service i with its Antrea NodePortLocal annotation (nodeportlocal mode only). */
export function pod(i: number, k: number, generation = 0): KubeObject {
  const mapping = [{ podPort: 8080, nodeIP: nodeAddress(k), nodePort: nplPort(i, k, generation), protocol: 'tcp' }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `app-${i}-${k}`, namespace: NAMESPACE, labels: { app: `app-${i}` }, annotations: { 'nodeportlocal.antrea.io': JSON.stringify(mapping) } },
  };
}

function node(k: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${k}`, labels: { 'kubernetes.io/os': 'linux' } },
    status: {
      addresses: [{ type: 'InternalIP', address: nodeAddress(k) }, { type: 'Hostname', address: `node-${k}` }],
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

/** The Service's only EndpointSlice; `generation` > 0 changes the first endpoint's address. */
export function endpointSlice(i: number, w: Workload, generation = 0): EndpointSlice {
  const m = w.membersPerService;
  const endpoints = Array.from({ length: m }, (_, k) => ({
    addresses: [podAddress(i, k, m, k === 0 ? generation : 0)],
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

/** Everything the cluster holds for the workload, in the order a LIST would deliver it. */
export function generateObjects(w: Workload): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let k = 0; k < w.membersPerService; k++) objects.push(node(k));
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (let i = 0; i < w.n; i++) {
    objects.push(service(i, w), endpointSlice(i, w));
    if (w.mode === 'nodeportlocal') for (let k = 0; k < w.membersPerService; k++) objects.push(pod(i, k));
  }
  for (let i = 0; i < w.n; i++) objects.push(virtualServer(i));
  return objects;
}
