/**
 * The live-controller benchmark's cluster: the workload of bench/generate.ts (docs/benchmarks.md) (N
 * VirtualServers, their Services and EndpointSlices, the Nodes) created in a real API server
 * (envtest), and one EndpointSlice change sent as a merge patch, as an endpoint controller would.
 */
import { request } from 'node:https';
import { NAMESPACE, endpointSlice, generateObjects, podAddress } from './generate.js';
import type { Workload } from './generate.js';
import { kubectl } from '../test/support/envtest.js';
import type { Envtest } from '../test/support/envtest.js';
import type { KubeObject } from '../src/kube/types.js';

/** The object as `kubectl create` takes it: no resourceVersion, no status (the API server ignores status on create anyway). */
function creatable(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, creationTimestamp: _ct, ...metadata } = obj.metadata ?? {};
  const { status: _status, ...rest } = obj as KubeObject & { status?: unknown };
  return { ...rest, metadata } as KubeObject;
}

/** Creates the workload: the namespace and Nodes first, then the rest in `parallel` kubectl processes. */
export async function createWorkload(env: Envtest, w: Workload, parallel = 4): Promise<number> {
  const objects = generateObjects(w).map(creatable);
  const first = objects.filter((o) => o.kind === 'Namespace' || o.kind === 'Node');
  const rest = objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'Node');
  const list = (items: KubeObject[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  await kubectl(env.kubeconfigPath, ['create', '-f', '-', '-o', 'name'], list(first));
  const chunks = Array.from({ length: parallel }, (_, c) => rest.filter((_o, i) => i % parallel === c));
  await Promise.all(chunks.map((chunk) => kubectl(env.kubeconfigPath, ['create', '-f', '-', '-o', 'name'], list(chunk))));
  return objects.length;
}

/** The admin bearer token of the envtest kubeconfig. */
function tokenOf(env: Envtest): string {
  const token = env.kubeConfig().getCurrentUser()?.token;
  if (!token) throw new Error('the envtest kubeconfig has no token');
  return token;
}

/**
 * Moves the first endpoint of Service `i` to a fresh address (generation `g`): one merge patch of
 * its EndpointSlice. Resolves with the new address once the API server answered.
 */
export function patchEndpoint(env: Envtest, w: Workload, i: number, g: number): Promise<string> {
  const slice = endpointSlice(i, w, 0, g);
  const path = `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices/${slice.metadata?.name ?? ''}`;
  const body = JSON.stringify({ endpoints: slice.endpoints });
  const url = new URL(path, env.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'PATCH',
        rejectUnauthorized: false,
        headers: {
          authorization: `Bearer ${tokenOf(env)}`,
          'content-type': 'application/merge-patch+json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(podAddress(w, i, 0, 0, g)) : reject(new Error(`PATCH ${path}: ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
