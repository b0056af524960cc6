import type { ServiceSettingName, ServiceSettings } from '../model/settings.js';
import type { VirtualGroup } from '../model/virtual.js';
import type { As3Object } from './as3-types.js';

export type ServiceClass = 'Service_HTTP' | 'Service_HTTPS' | 'Service_TCP' | 'Service_UDP' | 'Service_SCTP' | 'Service_L4';

const COMMON: ServiceSettingName[] = [
  'iRules', 'allowVlans', 'persistenceMethods', 'mirroring', 'policyFirewallEnforced', 'ipIntelligencePolicy',
  'securityLogProfiles', 'lastHop', 'httpMrfRoutingEnabled',
];
/** DoS, bot defense and WAF profiles exist on HTTP virtuals only in AS3 3.56 (L4 classes reject them). */
const HTTP: ServiceSettingName[] = [
  ...COMMON, 'profileDOS', 'profileBotDefense', 'policyWAF', 'profileTCP', 'profileHTTP', 'profileMultiplex', 'profileHTTPCompression', 'profileHTML', 'profileAccess',
  'policyPerRequestAccess', 'profileRequestAdapt', 'profileResponseAdapt', 'profileWebSocket', 'profileAnalytics',
];

/** Which settings each AS3 class accepts (checked against the AS3 3.56 schema). */
const ACCEPTS: Record<ServiceClass, ReadonlySet<ServiceSettingName>> = {
  Service_HTTP: new Set(HTTP),
  Service_HTTPS: new Set([...HTTP, 'profileHTTP2']),
  Service_TCP: new Set([...COMMON, 'profileTCP', 'profileFTP']),
  Service_UDP: new Set([...COMMON, 'profileUDP']),
  Service_SCTP: new Set(COMMON),
  Service_L4: new Set([...COMMON, 'profileL4']),
};

/** The AS3 class of a group's virtual. TLS passthrough never decrypts, so it is a TCP virtual. */
export function serviceClassOf(group: VirtualGroup): ServiceClass {
  if (group.type === 'http') return 'Service_HTTP';
  if (group.type === 'https') return group.tls?.termination === 'passthrough' ? 'Service_TCP' : 'Service_HTTPS';
  if (group.l4Mode === 'performance') return 'Service_L4';
  if (group.type === 'udp') return 'Service_UDP';
  return group.type === 'sctp' ? 'Service_SCTP' : 'Service_TCP';
}

/**
 * Copies the settings the class accepts onto the AS3 service, in a fixed order (stable output),
 * and returns the names of the ones it had to leave out.
 */
export function applySettings(service: As3Object, cls: ServiceClass, settings: ServiceSettings): string[] {
  const dropped: string[] = [];
  for (const name of Object.keys(settings).sort() as ServiceSettingName[]) {
    const value = settings[name];
    if (value === undefined) continue;
    if (ACCEPTS[cls].has(name)) service[name] = value;
    else dropped.push(name);
  }
  return dropped;
}
