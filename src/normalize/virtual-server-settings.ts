import type { ServiceAddressSettings, ServiceSettings } from '../model/settings.js';
import { objectOrEmpty } from './fields.js';
import type { FieldReader } from './fields.js';
import { bigipPath, flag, readSettings } from './settings.js';

/**
 * The virtual-level fields of a VirtualServer spec, as AS3 Service settings.
 * `profiles.http2` is kept apart because it applies to the HTTPS virtual only.
 */
export interface VirtualSettingsResult {
  settings: ServiceSettings;
  /** The spec field of each setting, for messages. */
  fields: Partial<Record<keyof ServiceSettings, string>>;
  http2?: ServiceSettings['profileHTTP2'];
  ok: boolean;
}

type Spec = Record<string, unknown>;

/** VirtualServer fields → AS3 Service properties (`waf` → policyWAF, `dos` → profileDOS, ...; see settings.ts). */
export function virtualServerSettings(r: FieldReader, spec: Spec): VirtualSettingsResult {
  const b = readSettings(r, spec, 'virtualServer');
  if (b.settings.profileHTTP2 === undefined) return { settings: b.settings, fields: b.fields, ok: b.ok };
  const { profileHTTP2: http2, ...settings } = b.settings;
  return { settings, fields: b.fields, ok: b.ok, http2 };
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
    r.error(
      'spec.serviceAddress[0].spanningEnabled',
      'cannot be true together with arpEnabled: true (a spanned address must not answer ARP, and AS3 refuses both); set arpEnabled: false for a spanned address',
    );
  }
  return r.diagnostics.length === before ? out : false;
}
