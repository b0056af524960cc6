import type { PoolMemberType } from '../config/config.js';
import type { ClusterState } from '../inventory/cluster-state.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import { namespacedName } from '../kube/refs.js';
import type { Service, ServicePort } from '../kube/types.js';
import type { BackendRef } from '../model/virtual.js';
import type { Member } from './member.js';
import { sortMembers } from './member.js';
import { nodePortLocalMembers } from './node-port-local.js';
import type { ResolveContext, ResolvedBackend } from './resolved-backend.js';
import { describePorts, findServicePort } from './service-port.js';

/** `%N` on node addresses when the virtual is in a non-default route domain (pod IPs are left as they are, as in CIS). */
function inRouteDomain(result: ResolvedBackend, routeDomain: number | undefined): ResolvedBackend {
  if (!routeDomain) return result;
  return { ...result, members: result.members.map((m) => ({ ...m, address: `${m.address}%${routeDomain}` })) };
}

type Mode = Exclude<PoolMemberType, 'auto'>;

function modeFor(service: Service, configured: PoolMemberType): Mode {
  if (configured !== 'auto') return configured;
  const type = service.spec?.type ?? 'ClusterIP';
  return type === 'NodePort' || type === 'LoadBalancer' ? 'nodeport' : 'cluster';
}

function nodePortMembers(ctx: ResolveContext, service: Service, port: ServicePort, backend: BackendRef): ResolvedBackend {
  const name = namespacedName(backend.namespace, backend.service);
  const type = service.spec?.type ?? 'ClusterIP';
  if (type !== 'NodePort' && type !== 'LoadBalancer') {
    return {
      members: [],
      problems: [
        {
          severity: 'error',
          field: 'service',
          message: `Service ${name} is of type ${type}; nodeport pool members need a NodePort or LoadBalancer Service`,
        },
      ],
    };
  }
  const nodePort = port.nodePort;
  if (typeof nodePort !== 'number') {
    return {
      members: [],
      problems: [{ severity: 'error', field: 'servicePort', message: `Service ${name} port ${port.port ?? ''} has no nodePort yet` }],
    };
  }
  const local = service.spec?.externalTrafficPolicy === 'Local' ? nodesWithReadyEndpoints(ctx.cluster, service) : undefined;
  const labelled = backend.nodeMemberLabel ? mustParseLabelSelector(backend.nodeMemberLabel) : undefined;
  const candidates = labelled ? ctx.nodeAddresses.filter((n) => labelled.matches(n.labels)) : ctx.nodeAddresses;
  const nodes = local ? candidates.filter((n) => local.has(n.node)) : candidates;
  return { members: nodes.map((n) => ({ address: n.address, port: nodePort })), problems: [] };
}

/**
 * With `externalTrafficPolicy: Local` a node answers on the nodePort only if it hosts a ready
 * endpoint of the Service (traffic to other nodes is dropped, not forwarded), so only those
 * nodes are members.
 */
function nodesWithReadyEndpoints(cluster: ClusterState, service: Service): Set<string> {
  const nodes = new Set<string>();
  for (const slice of cluster.slicesOf(service.metadata?.namespace ?? '', service.metadata?.name ?? '')) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready !== false && endpoint.nodeName) nodes.add(endpoint.nodeName);
    }
  }
  return nodes;
}

/** Ready endpoints of every EndpointSlice of the Service, on the slice port named like the Service port. */
function clusterMembers(ctx: ResolveContext, backend: BackendRef, port: ServicePort): ResolvedBackend {
  const members: Member[] = [];
  const portName = port.name ?? '';
  for (const slice of ctx.cluster.slicesOf(backend.namespace, backend.service)) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (typeof slicePort?.port !== 'number') continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses ?? []) members.push({ address, port: slicePort.port });
    }
  }
  return { members: sortMembers(members), problems: [] };
}

/**
 * The pool members for one backend reference in one cluster, plus its static members. A missing
 * Service is a warning (no endpoints, as the Service may simply not exist yet); a Service port that does not exist or a
 * Service of the wrong type is an error, also with an empty pool, so the virtual stays up and
 * other pools are unaffected.
 */
export function resolveBackend(ctx: ResolveContext, backend: BackendRef): ResolvedBackend {
  const resolved = resolveService(ctx, backend);
  if (!backend.staticMembers) return resolved;
  return { ...resolved, members: sortMembers([...resolved.members, ...backend.staticMembers]) };
}

function resolveService(ctx: ResolveContext, backend: BackendRef): ResolvedBackend {
  const name = namespacedName(backend.namespace, backend.service);
  const service = ctx.cluster.service(backend.namespace, backend.service);
  if (!service) {
    return {
      members: [],
      problems: [
        { severity: 'warning', field: 'service', message: `Service ${name} not found; its endpoints are not in the pool until it exists` },
      ],
      missing: true,
    };
  }
  if (service.spec?.type === 'ExternalName') {
    return {
      members: [],
      problems: [
        {
          severity: 'error',
          field: 'service',
          message: `Service ${name} is of type ExternalName (a DNS alias); it has no endpoints or node ports to use as pool members`,
        },
      ],
    };
  }
  const port = findServicePort(service, backend.servicePort, backend.protocol);
  if (!port) {
    return {
      members: [],
      problems: [
        {
          severity: 'error',
          field: 'servicePort',
          message: `${JSON.stringify(backend.servicePort)} is not a port of Service ${name}: ${describePorts(service)}`,
        },
      ],
    };
  }
  switch (modeFor(service, ctx.mode)) {
    case 'nodeport':
      return inRouteDomain(nodePortMembers(ctx, service, port, backend), ctx.routeDomain);
    case 'nodeportlocal':
      return inRouteDomain(nodePortLocalMembers(ctx.cluster, service, port), ctx.routeDomain);
    case 'cluster':
      return clusterMembers(ctx, backend, port);
  }
}
