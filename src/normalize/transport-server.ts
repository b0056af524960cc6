import type { ObjectRef } from '../kube/refs.js';
import type { TransportServer } from '../kube/types.js';
import type { Route } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors } from './pool.js';
import type { NormalizeContext, NormalizeResult } from './context.js';

const NOT_YET_SUPPORTED = [
  'iRules', 'persistenceProfile', 'profileL4', 'profiles', 'serviceAddress', 'allowVlans', 'connectionMirroring',
  'sctp', 'tls', 'hostGroup', 'policyName', 'host',
];

/** An enumerated field; absent means the first value (the CIS default). */
function oneOf<T extends string>(r: FieldReader, field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null || value === '') return allowed[0];
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  return r.error(field, `${JSON.stringify(value)} must be ${allowed.join(' or ')}`);
}

function poolRoute(r: FieldReader, ts: TransportServer, ref: ObjectRef, monitorType: 'tcp' | 'udp'): Route | undefined {
  const pool = ts.spec?.pool;
  if (typeof pool !== 'object' || pool === null) return r.error('spec.pool', 'is required');
  const backend = normalizeBackend(r, 'spec.pool', pool, ref.namespace);
  const monitors = normalizeMonitors(r, 'spec.pool', pool, monitorType);
  return backend && { path: '/', backend, monitors, field: 'spec.pool', source: ref };
}

/** TransportServer (cis.f5.com/v1) → the claim of its L4 virtual. */
export function normalizeTransportServer(ts: TransportServer, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  const r = new FieldReader(ref);
  const spec = ts.spec;
  if (typeof spec !== 'object' || spec === null) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  r.unsupported(spec, NOT_YET_SUPPORTED);
  const listener = r.listener(spec, 'spec.virtualServerPort', spec.virtualServerPort, undefined, ctx.defaultPartition);
  const type = oneOf(r, 'spec.type', spec.type, ['tcp', 'udp'] as const);
  const mode = oneOf(r, 'spec.mode', spec.mode, ['standard', 'performance'] as const);
  const route = poolRoute(r, ts, ref, type === 'udp' ? 'udp' : 'tcp');
  if (r.hasErrors || !route || !listener || !type || !mode) return { claims: [], diagnostics: r.diagnostics };
  return { claims: [{ source: ref, object: ts, type, l4Mode: mode, ...listener, settings: {}, routes: [route] }], diagnostics: r.diagnostics };
}
