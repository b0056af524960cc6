import type { Config } from '../config/config.js';
import type { VirtualServerPoolSpec } from '../kube/types.js';
import type { ClusterServiceBackend } from '../model/virtual.js';
import type { FieldReader } from './fields.js';
import { normalizeBackend } from './pool.js';
import { wholeNumber } from './route-options.js';

export interface ClusterServicesOptions {
  /** The resource's namespace: an entry without `namespace` is in it. */
  namespace: string;
  /** The pool's Service port: an entry without `servicePort` uses it. */
  servicePort?: number | string;
  /** Names of the cluster set; undefined when no cluster set is configured. */
  clusters: readonly string[] | undefined;
  /** Largest accepted weight (256 VirtualServer, 100 TransportServer and LoadBalancer, as in CIS). */
  maxWeight: number;
  /** The Service an entry without `service` means (the LoadBalancer annotation: the Service itself). */
  service?: string;
}

type Entry = Record<string, unknown>;

function entryBackend(
  r: FieldReader,
  where: string,
  entry: Entry,
  options: ClusterServicesOptions,
): ClusterServiceBackend['backend'] | undefined {
  const namespace = r.namespace(`${where}.namespace`, entry['namespace'], options.namespace);
  if (namespace === undefined) return undefined;
  const port = entry['servicePort'] ?? options.servicePort;
  if (port === undefined) return r.error(`${where}.servicePort`, 'is required (the pool has no servicePort to default to)');
  const spec: VirtualServerPoolSpec = {
    service: (entry['service'] ?? options.service) as string,
    serviceNamespace: namespace,
    servicePort: port as number | string,
  };
  return normalizeBackend(r, where, spec, namespace);
}

/**
 * `multiClusterServices` (VirtualServer and TransportServer pools, the LoadBalancer annotation):
 * Services in named clusters that make up the pool, each `{clusterName, service, namespace,
 * servicePort, weight}` (namespace: the resource's; servicePort: the pool's; weight: 100). Weight
 * 0 excludes an entry; all 0 is an error. Without a configured cluster set the field cannot mean
 * anything: a warning, and the pool is the plain one. Undefined: absent (or ignored); false: rejected.
 */
export function clusterServices(
  r: FieldReader,
  field: string,
  value: unknown,
  options: ClusterServicesOptions,
): ClusterServiceBackend[] | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (!options.clusters) {
    r.warn(
      field,
      'ignored: no cluster set is configured; configure multiCluster in the config file with the clusters it names, or remove the field',
    );
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    return r.error(field, 'must be a non-empty list of {clusterName, service, namespace, servicePort, weight}') ?? false;
  }
  const out: ClusterServiceBackend[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, i) => {
    const where = `${field}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return void r.error(where, 'must be an object');
    const e = entry as Entry;
    const cluster = e['clusterName'];
    if (typeof cluster !== 'string' || cluster === '') return void r.error(`${where}.clusterName`, 'is required');
    if (!options.clusters?.includes(cluster)) {
      return void r.error(`${where}.clusterName`, `cluster "${cluster}" is not in the cluster set (${options.clusters?.join(', ')})`);
    }
    const backend = entryBackend(r, where, e, options);
    const weight = wholeNumber(r, `${where}.weight`, e['weight'], 0, options.maxWeight);
    if (!backend || weight === false) return;
    const key = `${cluster}/${backend.namespace}/${backend.service}/${backend.servicePort}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) return void r.error(where, `lists the same Service and port in cluster ${cluster} as ${field}[${earlier}]`);
    seen.set(key, i);
    out.push({ cluster, backend, weight: weight ?? 100, field: where });
  });
  if (out.length !== value.length) return false;
  if (out.every((e) => e.weight === 0)) {
    return (
      r.error(field, 'every entry has weight 0, so no request or connection could be served; give at least one entry a weight above 0') ??
      false
    );
  }
  return out;
}

/** The cluster names `multiClusterServices` may use, or undefined without a cluster set. */
export function clusterNames(config: Config): readonly string[] | undefined {
  return config.multiCluster ? config.multiCluster.clusters.map((c) => c.name) : undefined;
}
