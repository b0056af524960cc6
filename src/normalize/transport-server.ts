import type { ObjectRef } from '../kube/refs.js';
import type { MonitorSpec, TransportServer, VirtualServerPoolSpec } from '../kube/types.js';
import type { ServiceSettingName, ServiceSettings } from '../model/settings.js';
import type { TlsModel } from '../model/tls.js';
import type { Route, VirtualClaim, WeightedBackend } from '../model/virtual.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { FieldReader } from './fields.js';
import type { Listener } from './fields.js';
import { policyFieldOf, resolvePolicy, settingsFor, settingsForL4Virtual } from './policy.js';
import type { PolicyModel } from './policy.js';
import { normalizeBackend, normalizeMonitors } from './pool.js';
import { poolSettings } from './route-options.js';
import { SettingsBuilder, bigipPath, bigipPaths, mirroring, persistence, profilePair } from './settings.js';
import { tlsForTransportServer } from './tls-profile.js';
import { serviceAddress } from './virtual-server-settings.js';

type Spec = NonNullable<TransportServer['spec']>;
type L4Type = 'tcp' | 'udp' | 'sctp';
type L4Mode = 'standard' | 'performance';

const HOST_GROUP = /^[A-Za-z][A-Za-z0-9_.:-]{0,62}$/;
const POOL_NAME = /^[A-Za-z][0-9A-Za-z_.-]{0,63}$/;

/** The TransportServer field each virtual setting is read from, for warnings about it. */
const OWN_FIELDS: Partial<Record<ServiceSettingName, string>> = {
  iRules: 'spec.iRules', allowVlans: 'spec.allowVlans', persistenceMethods: 'spec.persistenceProfile',
  profileL4: 'spec.profileL4', profileTCP: 'spec.profiles.tcp', mirroring: 'spec.connectionMirroring',
  profileDOS: 'spec.dos', profileBotDefense: 'spec.botDefense',
};

/** Pool fields of the shared CRD vocabulary that only mean something for HTTP routing. */
const HTTP_ONLY_POOL_FIELDS = ['path', 'rewrite', 'hostRewrite', 'waf'];

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** An enumerated field; absent means the first value (the CIS default). */
function oneOf<T extends string>(r: FieldReader, field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (absent(value)) return allowed[0];
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  return r.error(field, `${JSON.stringify(value)} must be ${allowed.join(' or ')}`);
}

/** Fields CIS accepts that have no effect here: reported, never silently dropped. */
function warnUnused(r: FieldReader, spec: Spec): void {
  if (!absent(spec['host'])) r.warn('spec.host', 'is only used for ExternalDNS, which kube-as3 does not support yet; ignored');
  if (spec['profileAnalyticsTcp'] !== undefined) r.warn('spec.profileAnalyticsTcp', 'is not supported by this version of kube-as3 and was ignored');
  if (objectOrEmpty(spec['profiles'])['profileProtocolInspection'] !== undefined) {
    r.warn('spec.profiles.profileProtocolInspection', 'is not supported by this version of kube-as3 and was ignored');
  }
}

/** The virtual-level fields of the TransportServer itself, as AS3 Service properties. */
function ownSettings(r: FieldReader, spec: Spec): ServiceSettings | undefined {
  const b = new SettingsBuilder();
  b.set('iRules', bigipPaths(r, 'spec.iRules', spec['iRules'], true));
  b.set('allowVlans', bigipPaths(r, 'spec.allowVlans', spec['allowVlans']));
  b.set('persistenceMethods', persistence(r, 'spec.persistenceProfile', spec['persistenceProfile']));
  b.set('profileL4', bigipPath(r, 'spec.profileL4', spec['profileL4']));
  b.set('profileTCP', profilePair(r, 'spec.profiles.tcp', objectOrEmpty(spec['profiles'])['tcp'], true));
  b.set('mirroring', mirroring(r, 'spec.connectionMirroring', spec['connectionMirroring']));
  b.set('profileDOS', bigipPath(r, 'spec.dos', spec['dos']));
  b.set('profileBotDefense', bigipPath(r, 'spec.botDefense', spec['botDefense']));
  return b.ok ? b.settings : undefined;
}

function as3Class(type: L4Type, mode: L4Mode): string {
  if (mode === 'performance') return 'Service_L4';
  return type === 'udp' ? 'Service_UDP' : type === 'sctp' ? 'Service_SCTP' : 'Service_TCP';
}

/** Why a setting is left out of an L4 virtual, in the user's terms. */
function whyNotOnL4(name: ServiceSettingName, type: L4Type, mode: L4Mode): string {
  const virtual = `a ${type} virtual in mode ${mode} (AS3 ${as3Class(type, mode)})`;
  if (name === 'profileL4') return `profileL4 only applies to mode: performance, not to ${virtual}`;
  if (name === 'profileDOS' || name === 'profileBotDefense') {
    return `AS3 has no DoS or Bot Defense profile on L4 virtuals (CIS accepted it, but the BIG-IP never applied it to ${virtual})`;
  }
  return `${virtual} has no ${name}`;
}

/**
 * The virtual's settings: its own fields win over its Policy's; whatever the AS3 class of the virtual
 * (Service_TCP/_UDP/_SCTP, or Service_L4 in performance mode) cannot carry is dropped with a warning
 * on the field that set it.
 */
function l4Settings(r: FieldReader, spec: Spec, policy: PolicyModel | undefined, type: L4Type, mode: L4Mode): ServiceSettings | undefined {
  const own = ownSettings(r, spec);
  if (!own) return undefined;
  const merged = settingsFor(policy, own, 'l4');
  for (const field of merged.ignored) r.warn('spec.policyName', `ignored: ${field} of the Policy does not apply to a TransportServer`);
  const fit = settingsForL4Virtual(merged.settings, type, mode);
  for (const name of fit.ignored) {
    if (own[name] !== undefined) r.warn(OWN_FIELDS[name] ?? 'spec', `ignored: ${whyNotOnL4(name, type, mode)}`);
    else r.warn('spec.policyName', `ignored: ${policyFieldOf(name)} of the Policy: ${whyNotOnL4(name, type, mode)}`);
  }
  return fit.settings;
}

/** SCTP has no AS3 monitor type, so monitors of an SCTP TransportServer must name theirs. */
function checkSctpMonitors(r: FieldReader, pool: VirtualServerPoolSpec): boolean {
  const list = Array.isArray(pool.monitors) && pool.monitors.length > 0
    ? pool.monitors.map((m, i): [MonitorSpec, string] => [m, `spec.pool.monitors[${i}]`])
    : pool.monitor ? [[pool.monitor, 'spec.pool.monitor'] as [MonitorSpec, string]] : [];
  let ok = true;
  for (const [monitor, field] of list) {
    if (typeof monitor !== 'object' || monitor === null || monitor.reference === 'bigip' || !absent(monitor.type)) continue;
    r.error(`${field}.type`, 'is required with type: sctp (AS3 has no SCTP monitor): use tcp, udp, http or https, or reference a BIG-IP monitor');
    ok = false;
  }
  return ok;
}

function weightOf(r: FieldReader, field: string, value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100) return value;
  r.error(field, `${JSON.stringify(value)} must be a whole number from 0 to 100`);
  return false;
}

function alternateBackends(r: FieldReader, pool: VirtualServerPoolSpec, namespace: string, list: unknown[]): WeightedBackend[] | false {
  const out: WeightedBackend[] = [];
  list.forEach((item, i) => {
    const field = `spec.pool.alternateBackends[${i}]`;
    if (typeof item !== 'object' || item === null) return void r.error(field, 'must be an object');
    const alt = item as VirtualServerPoolSpec;
    // An alternate backend takes the primary's Service port unless it names its own.
    const backend = normalizeBackend(r, field, { ...alt, servicePort: alt.servicePort ?? pool.servicePort }, namespace);
    const weight = weightOf(r, `${field}.weight`, alt['weight']);
    if (backend && weight !== false) out.push({ backend, weight: weight ?? 100, field });
  });
  return out.length === list.length ? out : false;
}

/** `weight` and `alternateBackends` (A/B): the Services sharing the connections, by weight 0-100. */
function weighted(r: FieldReader, pool: VirtualServerPoolSpec, namespace: string): Pick<Route, 'weight' | 'alternates'> | undefined | false {
  const weight = weightOf(r, 'spec.pool.weight', pool['weight']);
  const list = pool['alternateBackends'];
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    if (typeof weight === 'number') r.warn('spec.pool.weight', 'ignored: a weight only matters together with alternateBackends');
    return weight === false ? false : undefined;
  }
  if (!Array.isArray(list)) return r.error('spec.pool.alternateBackends', 'must be a list of {service, serviceNamespace, weight}') ?? false;
  const alternates = alternateBackends(r, pool, namespace, list);
  if (alternates === false || weight === false) return false;
  const primary = weight ?? 100;
  if (primary === 0 && alternates.every((a) => a.weight === 0)) {
    return r.error('spec.pool.weight', 'every backend has weight 0, so no connection could be served; give at least one backend a weight above 0') ?? false;
  }
  return { weight: primary, alternates };
}

/** `pool.name`: the AS3 pool name, unless alternateBackends give every backend its own pool. */
function poolName(r: FieldReader, pool: VirtualServerPoolSpec, withAlternates: boolean): string | undefined | false {
  const name = pool.name;
  if (absent(name)) return undefined;
  if (typeof name !== 'string' || !POOL_NAME.test(name)) {
    return r.error('spec.pool.name', `${JSON.stringify(name)} must start with a letter and contain only letters, digits, _ . - (at most 64 characters)`) ?? false;
  }
  if (withAlternates) {
    r.warn('spec.pool.name', 'ignored: with alternateBackends the pool holds every backend and is named after the primary Service');
    return undefined;
  }
  return name;
}

function warnUnusedPoolFields(r: FieldReader, pool: VirtualServerPoolSpec): void {
  for (const key of HTTP_ONLY_POOL_FIELDS) {
    if (!absent(pool[key])) r.warn(`spec.pool.${key}`, 'ignored: a TransportServer forwards connections, it does not route HTTP requests');
  }
  if (pool['multiClusterServices'] !== undefined) {
    r.warn('spec.pool.multiClusterServices', 'is not supported until multi-cluster support; ignored');
  }
}

/** `spec.pool` → the single route of the L4 virtual, with the Policy's pool settings under the pool's own. */
function poolRoute(r: FieldReader, spec: Spec, ref: ObjectRef, type: L4Type | undefined, policy: PolicyModel | undefined): Route | undefined {
  const pool = spec.pool;
  if (typeof pool !== 'object' || pool === null || Array.isArray(pool)) return r.error('spec.pool', 'is required');
  warnUnusedPoolFields(r, pool);
  const backend = normalizeBackend(r, 'spec.pool', pool, ref.namespace);
  const sctpOk = type !== 'sctp' || checkSctpMonitors(r, pool);
  const monitors = sctpOk ? normalizeMonitors(r, 'spec.pool', pool, type === 'udp' ? 'udp' : 'tcp') : [];
  const own = poolSettings(r, 'spec.pool', {
    loadBalancingMethod: pool['loadBalancingMethod'], reselectTries: pool['reselectTries'], serviceDownAction: pool['serviceDownAction'],
  });
  const ab = weighted(r, pool, ref.namespace);
  const name = poolName(r, pool, Boolean(ab && ab.alternates));
  if (!backend || own === false || ab === false || name === false) return undefined;
  const settings = policy?.pool || own ? { ...policy?.pool, ...own } : undefined;
  return {
    path: '/', backend, monitors, field: 'spec.pool', source: ref,
    ...(settings ? { pool: settings } : {}),
    ...(name ? { poolName: name } : {}),
    ...(ab ?? {}),
  };
}

function hostGroupOf(r: FieldReader, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && HOST_GROUP.test(value)) return value;
  return r.error('spec.hostGroup', `${JSON.stringify(value)} must start with a letter and contain only letters, digits, _ . : - (at most 63 characters)`) ?? false;
}

/** `spec.tls`: client/server SSL on the L4 virtual; AS3 has TLS on Service_TCP and Service_UDP only. */
function tlsOf(r: FieldReader, ctx: NormalizeContext, spec: Spec, ref: ObjectRef, kind: { type?: L4Type; mode?: L4Mode }): TlsModel | undefined | false {
  const tls = spec['tls'];
  if (tls === undefined || tls === null) return undefined;
  if (kind.type === 'sctp' || kind.mode === 'performance') {
    return r.error('spec.tls', `TLS needs mode: standard and type tcp or udp (AS3 ${as3Class(kind.type ?? 'tcp', kind.mode ?? 'standard')} has no TLS)`) ?? false;
  }
  return tlsForTransportServer(r, ctx, ref.namespace, tls, 'spec.tls') ?? (r.hasErrors ? false : undefined);
}

function policyOf(r: FieldReader, ctx: NormalizeContext, spec: Spec, ref: ObjectRef): PolicyModel | undefined {
  const name = spec['policyName'];
  if (absent(name)) return undefined;
  if (typeof name !== 'string') return r.error('spec.policyName', `${JSON.stringify(name)} must be the name of a Policy`);
  return resolvePolicy(r, ctx, ref.namespace, name, 'spec.policyName');
}

interface Parts {
  listener: Listener;
  type: L4Type;
  mode: L4Mode;
  settings: ServiceSettings;
  route: Route;
  policy?: PolicyModel;
  hostGroup?: string;
  serviceAddress?: VirtualClaim['serviceAddress'];
  tls?: TlsModel;
}

function readParts(r: FieldReader, spec: Spec, ref: ObjectRef, ctx: NormalizeContext): Parts | undefined {
  warnUnused(r, spec);
  const listener = r.listener(spec, 'spec.virtualServerPort', spec.virtualServerPort, undefined, ctx.defaultPartition);
  const type = oneOf(r, 'spec.type', spec.type, ['tcp', 'udp', 'sctp'] as const);
  const mode = oneOf(r, 'spec.mode', spec.mode, ['standard', 'performance'] as const);
  const policy = policyOf(r, ctx, spec, ref);
  const settings = type && mode ? l4Settings(r, spec, policy, type, mode) : undefined;
  const route = poolRoute(r, spec, ref, type, policy);
  const address = serviceAddress(r, spec['serviceAddress']);
  const hostGroup = hostGroupOf(r, spec['hostGroup']);
  const tls = tlsOf(r, ctx, spec, ref, { ...(type ? { type } : {}), ...(mode ? { mode } : {}) });
  if (!listener || !type || !mode || !settings || !route || address === false || hostGroup === false || tls === false) return undefined;
  return {
    listener, type, mode, settings, route,
    ...(policy ? { policy } : {}),
    ...(hostGroup ? { hostGroup } : {}),
    ...(address ? { serviceAddress: address } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * TransportServer (cis.f5.com/v1) → the claim of its L4 virtual: Service_TCP, Service_UDP or
 * Service_SCTP in mode standard, Service_L4 in mode performance, with one pool (or weighted
 * alternate backends). `snat` falls back to the Policy's when the TransportServer sets none.
 */
export function normalizeTransportServer(ts: TransportServer, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  const r = new FieldReader(ref);
  const spec = ts.spec;
  if (typeof spec !== 'object' || spec === null) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  const p = readParts(r, spec, ref, ctx);
  if (r.hasErrors || !p) return { claims: [], diagnostics: r.diagnostics };
  const snat = absent(spec.snat) && p.policy?.snat ? p.policy.snat : p.listener.snat;
  const claim: VirtualClaim = {
    source: ref, object: ts, type: p.type, l4Mode: p.mode, ...p.listener, snat, settings: p.settings, routes: [p.route],
    ...(p.hostGroup ? { hostGroup: p.hostGroup } : {}),
    ...(p.serviceAddress ? { serviceAddress: p.serviceAddress } : {}),
    ...(p.tls ? { tls: p.tls } : {}),
  };
  return { claims: [claim], diagnostics: r.diagnostics };
}
