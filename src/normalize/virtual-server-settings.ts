import type { ServiceAddressSettings, ServiceSettings } from '../model/settings.js';
import type { FieldReader } from './fields.js';
import { SettingsBuilder, bigipPath, bigipPaths, compression, flag, mirroring, persistence, profilePair } from './settings.js';

/**
 * The virtual-level fields of a VirtualServer or TransportServer spec, as AS3 Service settings.
 * `profiles.http2` is kept apart because it applies to the HTTPS virtual only.
 */
export interface VirtualSettingsResult {
  settings: ServiceSettings;
  http2?: ServiceSettings['profileHTTP2'];
  ok: boolean;
}

type Spec = Record<string, unknown>;

function objectOrEmpty(value: unknown): Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Spec : {};
}

/** VirtualServer fields → AS3 Service properties (`waf` → policyWAF, `dos` → profileDOS, ...). */
export function virtualServerSettings(r: FieldReader, spec: Spec): VirtualSettingsResult {
  const b = new SettingsBuilder();
  b.set('iRules', bigipPaths(r, 'spec.iRules', spec['iRules'], true));
  b.set('allowVlans', bigipPaths(r, 'spec.allowVlans', spec['allowVlans']));
  b.set('persistenceMethods', persistence(r, 'spec.persistenceProfile', spec['persistenceProfile']));
  b.set('policyWAF', bigipPath(r, 'spec.waf', spec['waf']));
  b.set('profileMultiplex', bigipPath(r, 'spec.profileMultiplex', spec['profileMultiplex']));
  b.set('profileHTTPCompression', compression(r, 'spec.httpCompressionProfile', spec['httpCompressionProfile']));
  b.set('profileDOS', bigipPath(r, 'spec.dos', spec['dos']));
  b.set('profileBotDefense', bigipPath(r, 'spec.botDefense', spec['botDefense']));
  b.set('profileHTML', bigipPath(r, 'spec.htmlProfile', spec['htmlProfile']));
  b.set('profileAccess', bigipPath(r, 'spec.profileAccess', spec['profileAccess']));
  b.set('policyPerRequestAccess', bigipPath(r, 'spec.policyPerRequestAccess', spec['policyPerRequestAccess']));
  const adapt = objectOrEmpty(spec['profileAdapt']);
  b.set('profileRequestAdapt', bigipPath(r, 'spec.profileAdapt.request', adapt['request']));
  b.set('profileResponseAdapt', bigipPath(r, 'spec.profileAdapt.response', adapt['response']));
  b.set('mirroring', mirroring(r, 'spec.connectionMirroring', spec['connectionMirroring']));
  b.set('httpMrfRoutingEnabled', flag(r, 'spec.httpMrfRoutingEnabled', spec['httpMrfRoutingEnabled']));
  const profiles = objectOrEmpty(spec['profiles']);
  b.set('profileTCP', profilePair(r, 'spec.profiles.tcp', profiles['tcp'], true));
  const http2 = profilePair(r, 'spec.profiles.http2', profiles['http2'], false);
  if (http2 === false) b.ok = false;
  return { settings: b.settings, ok: b.ok, ...(http2 ? { http2 } : {}) };
}

const ICMP_ECHO = ['enable', 'disable', 'selective'];
const ROUTE_ADVERTISEMENT = ['disable', 'enable', 'always', 'selective', 'any', 'all'];

function serviceAddressFields(r: FieldReader, field: string, item: Spec): ServiceAddressSettings | undefined {
  const out: ServiceAddressSettings = {};
  for (const key of ['arpEnabled', 'spanningEnabled'] as const) {
    const v = flag(r, `${field}.${key}`, item[key]);
    if (typeof v === 'boolean') out[key] = v;
  }
  const icmp = item['icmpEcho'];
  if (icmp !== undefined) {
    if (typeof icmp === 'string' && ICMP_ECHO.includes(icmp)) out.icmpEcho = icmp as ServiceAddressSettings['icmpEcho'];
    else r.error(`${field}.icmpEcho`, `${JSON.stringify(icmp)} must be one of ${ICMP_ECHO.join(', ')}`);
  }
  const route = item['routeAdvertisement'];
  if (route !== undefined) {
    if (typeof route === 'string' && ROUTE_ADVERTISEMENT.includes(route)) out.routeAdvertisement = route;
    else r.error(`${field}.routeAdvertisement`, `${JSON.stringify(route)} must be one of ${ROUTE_ADVERTISEMENT.join(', ')}`);
  }
  const group = item['trafficGroup'];
  if (group !== undefined) {
    const ref = bigipPath(r, `${field}.trafficGroup`, group);
    if (ref) out.trafficGroup = ref.bigip;
  }
  return out;
}

/** `serviceAddress` (at most one entry): options of the BIG-IP virtual address object. */
export function serviceAddress(r: FieldReader, value: unknown): ServiceAddressSettings | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 1) {
    r.error('spec.serviceAddress', 'must be a list with at most one entry');
    return false;
  }
  if (value.length === 0) return undefined;
  const before = r.diagnostics.length;
  const out = serviceAddressFields(r, 'spec.serviceAddress[0]', objectOrEmpty(value[0]));
  if (out?.arpEnabled === true && out.spanningEnabled === true) {
    r.error('spec.serviceAddress[0].spanningEnabled', 'cannot be true together with arpEnabled: true (a spanned address must not answer ARP)');
  }
  return r.diagnostics.length === before ? out : false;
}
