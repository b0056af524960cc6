import type { ObjectRef } from '../kube/refs.js';
import type { TransportServer } from '../kube/types.js';
import type { Route, VirtualClaim } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors } from './pool.js';
import type { NormalizeOptions, NormalizeResult } from './virtual-server.js';

const NOT_YET_SUPPORTED = [
  'iRules', 'persistenceProfile', 'profileL4', 'profiles', 'serviceAddress', 'allowVlans', 'connectionMirroring',
  'sctp', 'tls', 'hostGroup', 'policyName', 'bigipRouteDomain', 'host',
];

/** TransportServer (cis.f5.com/v1) → the claim of its L4 virtual. */
export function normalizeTransportServer(ts: TransportServer, ref: ObjectRef, options: NormalizeOptions): NormalizeResult {
  const r = new FieldReader(ref);
  const spec = ts.spec;
  if (typeof spec !== 'object' || spec === null) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  for (const field of NOT_YET_SUPPORTED) {
    if (spec[field] !== undefined) r.warn(`spec.${field}`, 'is not supported by this version of kube-as3 and was ignored');
  }
  if ((spec.virtualServerAddress === undefined || spec.virtualServerAddress === '') && spec.ipamLabel) {
    r.error('spec.ipamLabel', 'IPAM allocation is not available in this version; set spec.virtualServerAddress');
  }
  const address = spec.ipamLabel && !spec.virtualServerAddress ? undefined : r.address('spec.virtualServerAddress', spec.virtualServerAddress);
  const port = r.port('spec.virtualServerPort', spec.virtualServerPort);
  const partition = r.partition('spec.partition', spec.partition, options.defaultPartition);
  const snat = r.snat('spec.snat', spec.snat);
  const virtualName = r.virtualName('spec.virtualServerName', spec.virtualServerName);
  const type = spec.type ?? 'tcp';
  if (type !== 'tcp' && type !== 'udp') r.error('spec.type', `"${String(type)}" must be tcp or udp`);
  const mode = spec.mode ?? 'standard';
  if (mode !== 'standard' && mode !== 'performance') r.error('spec.mode', `"${String(mode)}" must be standard or performance`);

  let route: Route | undefined;
  const pool = spec.pool;
  if (typeof pool !== 'object' || pool === null) {
    r.error('spec.pool', 'is required');
  } else {
    const backend = normalizeBackend(r, 'spec.pool', pool, ref.namespace);
    const monitors = normalizeMonitors(r, 'spec.pool', pool, type === 'udp' ? 'udp' : 'tcp');
    if (backend) route = { path: '/', backend, monitors, field: 'spec.pool', source: ref };
  }
  if (r.hasErrors || !route || address === undefined || port === undefined || partition === undefined || snat === undefined) {
    return { claims: [], diagnostics: r.diagnostics };
  }
  const claim: VirtualClaim = {
    source: ref, object: ts, type: type as 'tcp' | 'udp', l4Mode: mode as 'standard' | 'performance',
    partition, address, port, snat, routes: [route],
  };
  if (virtualName !== undefined) claim.virtualName = virtualName;
  return { claims: [claim], diagnostics: r.diagnostics };
}
