/** Small builders for Kubernetes objects used by unit tests. */
import type { Config } from '../../src/config/config.js';
import { defaultConfig } from '../../src/config/parse-config.js';
import { populateCluster } from '../../src/inventory/populate.js';
import type { EndpointSlice, KubeObject, Node, Secret, Service, TransportServer, VirtualServer } from '../../src/kube/types.js';
import { NormalizeContext } from '../../src/normalize/context.js';

export function node(name: string, address: string, ready = true, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: { addresses: [{ type: 'InternalIP', address }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export function service(ns: string, name: string, spec: Service['spec'] = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
  };
}

export function slice(
  ns: string,
  name: string,
  svc: string,
  addresses: Array<string | [string, boolean]>,
  port = 8080,
  portName = 'http',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: portName, port }],
    endpoints: addresses.map((a) => (typeof a === 'string' ? { addresses: [a] } : { addresses: [a[0]], conditions: { ready: a[1] } })),
  };
}

export function virtualServer(ns: string, name: string, spec: VirtualServer['spec'], created?: string): VirtualServer {
  return {
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { namespace: ns, name, labels: { f5cr: 'true' }, ...(created ? { creationTimestamp: created } : {}) },
    spec,
  };
}

export function transportServer(ns: string, name: string, spec: TransportServer['spec'], created?: string): TransportServer {
  return {
    apiVersion: 'cis.f5.com/v1',
    kind: 'TransportServer',
    metadata: { namespace: ns, name, labels: { f5cr: 'true' }, ...(created ? { creationTimestamp: created } : {}) },
    spec,
  };
}

/** A normalize context over the given objects (default config unless one is passed). */
export function contextFor(objects: KubeObject[] = [], config: Config = defaultConfig()): NormalizeContext {
  const { state } = populateCluster('test', objects);
  return new NormalizeContext(config, state);
}

/** A kubernetes.io/tls Secret holding PEM text (base64-encoded as the API serves it). */
export function tlsSecret(ns: string, name: string, data: Record<string, string>): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: ns, name }, data: encoded };
}

export function cisResource<T extends KubeObject & { spec?: unknown }>(
  kind: string,
  ns: string,
  name: string,
  spec: unknown,
  created?: string,
): T {
  return {
    apiVersion: 'cis.f5.com/v1',
    kind,
    metadata: { namespace: ns, name, labels: { f5cr: 'true' }, ...(created ? { creationTimestamp: created } : {}) },
    spec,
  } as unknown as T;
}
