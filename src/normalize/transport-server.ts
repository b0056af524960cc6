import type { ObjectRef } from '../kube/refs.js';
import type { TransportServer, VirtualServerPoolSpec } from '../kube/types.js';
import type { ServiceSettingName, ServiceSettings } from '../model/settings.js';
import type { TlsModel } from '../model/tls.js';
import type { Route, VirtualClaim } from '../model/virtual.js';
import { l4ServiceClass } from '../model/service-classes.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { FieldReader, absent } from './fields.js';
import type { Listener } from './fields.js';
import { namedPolicy, settingsFor, settingsForL4Virtual } from './policy.js';
import type { PolicyModel } from './policy.js';
import { ipamAddress } from './ipam-request.js';
import { readSettings } from './settings.js';
import { tlsForTransportServer } from './tls-profile.js';
import { serviceAddress } from './virtual-server-settings.js';
import { poolRoute } from './virtual-server-routes.js';
import { clusterNames } from './cluster-services.js';
import type { RouteDefaults } from './virtual-server-routes.js';

type Spec = NonNullable<TransportServer['spec']>;
type L4Type = 'tcp' | 'udp' | 'sctp';
type L4Mode = 'standard' | 'performance';

const HOST_GROUP = /^[A-Za-z][A-Za-z0-9_.:-]{0,62}$/;

/** An enumerated field; absent means the first value (the CIS default). */
function oneOf<T extends string>(r: FieldReader, field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (absent(value)) return allowed[0];
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  return r.error(field, `${JSON.stringify(value)} must be ${allowed.join(' or ')}`);
}

/** Fields CIS accepts that have no effect here: reported, never silently dropped. */
function warnUnused(r: FieldReader, spec: Spec): void {
  if (!absent(spec['host']))
    r.warn(
      'spec.host',
      'is only used for ExternalDNS, which kube-as3 does not support yet, and was ignored; nothing to change (CIS may keep using it)',
    );
}

/** Why a setting is left out of an L4 virtual, in the user's terms. */
function whyNotOnL4(name: ServiceSettingName, type: L4Type, mode: L4Mode): string {
  const virtual = `a ${type} virtual in mode ${mode} (AS3 ${l4ServiceClass(type, mode)})`;
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
  const own = readSettings(r, spec, 'transportServer');
  if (!own.ok) return undefined;
  const merged = settingsFor(policy, own.settings, 'l4');
  for (const field of merged.ignored)
    r.warn(
      'spec.policyName',
      `ignored: ${field} of the Policy does not apply to a TransportServer; nothing to change if the Policy is meant for VirtualServers too, else remove it from the Policy`,
    );
  const fit = settingsForL4Virtual(merged.settings, type, mode);
  for (const name of fit.ignored) {
    const ownField = own.fields[name];
    const policyField = policy?.fields[name];
    if (ownField) r.warn(ownField, `ignored: ${whyNotOnL4(name, type, mode)}; remove it`);
    else if (policyField)
      r.warn(
        'spec.policyName',
        `ignored: ${policyField} of the Policy: ${whyNotOnL4(name, type, mode)}; nothing to change if the Policy serves other virtuals too, else remove it from the Policy`,
      );
  }
  return fit.settings;
}

/** Pool fields of the shared CRD vocabulary that only mean something for HTTP routing. */
const HTTP_ONLY_POOL_FIELDS = ['path', 'rewrite', 'hostRewrite', 'waf'] as const;

/**
 * `spec.pool` → the single route of the L4 virtual, read like a VirtualServer pool (weights up to
 * 100, as in CIS) after warning about the HTTP-only fields; the Policy's pool settings go under the
 * pool's own.
 */
function l4Route(
  r: FieldReader,
  spec: Spec,
  ref: ObjectRef,
  type: L4Type | undefined,
  { policy, clusters }: { policy: PolicyModel | undefined; clusters: readonly string[] | undefined },
): Route | undefined {
  const pool = spec.pool;
  if (typeof pool !== 'object' || pool === null || Array.isArray(pool)) return r.error('spec.pool', 'is required');
  const l4Pool: VirtualServerPoolSpec = { ...pool };
  for (const key of HTTP_ONLY_POOL_FIELDS) {
    if (!absent(pool[key]))
      r.warn(
        `spec.pool.${key}`,
        'ignored: a TransportServer forwards connections, it does not route HTTP requests; remove it, or use a VirtualServer',
      );
    delete l4Pool[key];
  }
  const defaults: RouteDefaults = { hosts: [], source: ref, maxWeight: 100 };
  if (clusters) defaults.clusters = clusters;
  if (policy?.pool) defaults.policyPool = policy.pool;
  const route = poolRoute(r, 'spec.pool', l4Pool, defaults, type ?? 'tcp');
  if (route && type && type !== 'tcp') {
    // The Service port of the virtual's protocol, when the Service lists the number for several.
    const protocol = type === 'udp' ? 'UDP' : 'SCTP';
    route.backend = { ...route.backend, protocol };
    if (route.alternates) route.alternates = route.alternates.map((a) => ({ ...a, backend: { ...a.backend, protocol } }));
    if (route.clusterServices) route.clusterServices = route.clusterServices.map((e) => ({ ...e, backend: { ...e.backend, protocol } }));
  }
  return route;
}

function hostGroupOf(r: FieldReader, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && HOST_GROUP.test(value)) return value;
  return (
    r.error(
      'spec.hostGroup',
      `${JSON.stringify(value)} must start with a letter and contain only letters, digits, _ . : - (at most 63 characters)`,
    ) ?? false
  );
}

/** `spec.tls`: client/server SSL on the L4 virtual; AS3 has TLS on Service_TCP and Service_UDP only. */
function tlsOf(
  r: FieldReader,
  ctx: NormalizeContext,
  spec: Spec,
  ref: ObjectRef,
  kind: { type?: L4Type; mode?: L4Mode },
): TlsModel | undefined | false {
  const tls = spec['tls'];
  if (tls === undefined || tls === null) return undefined;
  if (kind.type === 'sctp' || kind.mode === 'performance') {
    return (
      r.error(
        'spec.tls',
        `TLS needs mode: standard and type tcp or udp (AS3 ${l4ServiceClass(kind.type ?? 'tcp', kind.mode ?? 'standard')} has no TLS)`,
      ) ?? false
    );
  }
  return tlsForTransportServer(r, ctx, ref.namespace, tls, 'spec.tls') ?? (r.hasErrors ? false : undefined);
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
  const policy = namedPolicy(r, spec, ref, ctx);
  const settings = type && mode ? l4Settings(r, spec, policy, type, mode) : undefined;
  const route = l4Route(r, spec, ref, type, { policy, clusters: clusterNames(ctx.config) });
  const address = serviceAddress(r, spec['serviceAddress']);
  const hostGroup = hostGroupOf(r, spec['hostGroup']);
  const tls = tlsOf(r, ctx, spec, ref, { ...(type ? { type } : {}), ...(mode ? { mode } : {}) });
  if (!listener || !type || !mode || !settings || !route || address === false || hostGroup === false || tls === false) return undefined;
  return {
    listener,
    type,
    mode,
    settings,
    route,
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
  const allocated = ipamAddress(r, ctx, 'TransportServer', ts);
  if (allocated === false) return { claims: [], diagnostics: r.diagnostics };
  const p = readParts(r, allocated ? { ...spec, virtualServerAddress: allocated } : spec, ref, ctx);
  if (r.hasErrors || !p) return { claims: [], diagnostics: r.diagnostics };
  const snat = absent(spec.snat) && p.policy?.snat ? p.policy.snat : p.listener.snat;
  const claim: VirtualClaim = {
    source: ref,
    object: ts,
    type: p.type,
    l4Mode: p.mode,
    ...p.listener,
    snat,
    settings: p.settings,
    routes: [p.route],
    ...(p.hostGroup ? { hostGroup: p.hostGroup } : {}),
    ...(p.serviceAddress ? { serviceAddress: p.serviceAddress } : {}),
    ...(p.tls ? { tls: p.tls } : {}),
  };
  return { claims: [claim], diagnostics: r.diagnostics };
}
