import type { ServiceSettingName, ServiceSettings } from './settings.js';
import type { VirtualGroup } from './virtual.js';
import type { As3Object } from './as3-types.js';

export type ServiceClass = 'Service_HTTP' | 'Service_HTTPS' | 'Service_TCP' | 'Service_UDP' | 'Service_SCTP' | 'Service_L4';

const COMMON: ServiceSettingName[] = [
  'iRules',
  'allowVlans',
  'persistenceMethods',
  'mirroring',
  'policyFirewallEnforced',
  'ipIntelligencePolicy',
  'securityLogProfiles',
  'lastHop',
  'httpMrfRoutingEnabled',
  'profileProtocolInspection',
  'profileTrafficLog',
];
/** DoS, bot defense and WAF profiles exist on HTTP virtuals only in AS3 3.56 (L4 classes reject them). */
const HTTP: ServiceSettingName[] = [
  ...COMMON,
  'profileDOS',
  'profileBotDefense',
  'policyWAF',
  'profileTCP',
  'profileHTTP',
  'profileMultiplex',
  'profileHTTPCompression',
  'profileHTML',
  'profileAccess',
  'policyPerRequestAccess',
  'profileRequestAdapt',
  'profileResponseAdapt',
  'profileWebSocket',
  'profileAnalytics',
  'profileAnalyticsTcp',
  'profileApiProtection',
];

/**
 * The one table of which virtual settings each AS3 class accepts (checked against the AS3 3.56
 * schema), sorted by name: the order in which they are written onto the service, so output is
 * stable without sorting per virtual.
 */
const ACCEPTS: Record<ServiceClass, readonly ServiceSettingName[]> = {
  Service_HTTP: [...HTTP].sort(),
  Service_HTTPS: [...HTTP, 'profileHTTP2' as const].sort(),
  Service_TCP: [...COMMON, 'profileTCP' as const, 'profileFTP' as const, 'profileAnalyticsTcp' as const].sort(),
  Service_UDP: [...COMMON, 'profileUDP' as const].sort(),
  Service_SCTP: [...COMMON].sort(),
  Service_L4: [...COMMON, 'profileL4' as const, 'profileAnalyticsTcp' as const].sort(),
};

const ACCEPTED_SETS = {} as Record<ServiceClass, ReadonlySet<ServiceSettingName>>;
for (const cls of Object.keys(ACCEPTS) as ServiceClass[]) ACCEPTED_SETS[cls] = new Set(ACCEPTS[cls]);

/** Whether an AS3 virtual of class `cls` has the property `name` (Service_UDP has no `profileTCP`). */
export function acceptsSetting(cls: ServiceClass, name: ServiceSettingName): boolean {
  return ACCEPTED_SETS[cls].has(name);
}

/**
 * The AS3 class of an L4 virtual (TransportServer, LoadBalancer Service): Service_TCP,
 * Service_UDP or Service_SCTP in standard mode, Service_L4 (fastL4) in performance mode.
 */
export function l4ServiceClass(type: 'tcp' | 'udp' | 'sctp', mode: 'standard' | 'performance'): ServiceClass {
  if (mode === 'performance') return 'Service_L4';
  if (type === 'udp') return 'Service_UDP';
  return type === 'sctp' ? 'Service_SCTP' : 'Service_TCP';
}

/** The AS3 class of a group's virtual. TLS passthrough never decrypts, so it is a TCP virtual. */
export function serviceClassOf(group: VirtualGroup): ServiceClass {
  if (group.type === 'http') return 'Service_HTTP';
  if (group.type === 'https') return group.tls?.termination === 'passthrough' ? 'Service_TCP' : 'Service_HTTPS';
  return l4ServiceClass(group.type, group.l4Mode ?? 'standard');
}

/**
 * Copies the settings the class accepts onto the AS3 service, in a fixed order (stable output),
 * and returns the names of the ones it had to leave out (sorted), for the caller to warn about.
 */
export function applySettings(service: As3Object, cls: ServiceClass, settings: ServiceSettings): string[] {
  const accepted = ACCEPTED_SETS[cls];
  for (const name of ACCEPTS[cls]) {
    const value = settings[name];
    if (value !== undefined) service[name] = value;
  }
  const dropped: string[] = [];
  for (const name of Object.keys(settings) as ServiceSettingName[]) {
    if (settings[name] !== undefined && !accepted.has(name)) dropped.push(name);
  }
  return dropped.length > 1 ? dropped.sort() : dropped;
}
