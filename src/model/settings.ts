/** A reference to an object that already exists on the BIG-IP, by full path (`/Common/http2`). */
export interface BigipRef {
  bigip: string;
}

/** A client/server pair of profiles (AS3 `{ingress, egress}`): ingress faces the client. */
export interface ProfilePair {
  ingress?: BigipRef;
  egress?: BigipRef;
}

/**
 * Properties of a virtual server that AS3 `Service_*` classes carry under exactly these names.
 * Every input kind (VirtualServer and TransportServer fields, Policy CR, Ingress annotations,
 * Service annotations) is normalized into this one shape, and translation copies the properties
 * the virtual's class accepts (see translate/service.ts). Absent means "AS3's default".
 */
export interface ServiceSettings {
  iRules?: BigipRef[];
  allowVlans?: BigipRef[];
  /** Builtin persistence names (`cookie`, `source-address`, ...) or a BIG-IP profile; `[]` disables. */
  persistenceMethods?: Array<string | BigipRef>;
  profileTCP?: BigipRef | ProfilePair;
  profileUDP?: BigipRef;
  profileHTTP?: BigipRef;
  profileHTTP2?: BigipRef | ProfilePair;
  profileMultiplex?: BigipRef;
  /** `basic`, `wan` (AS3 builtins) or a BIG-IP profile. */
  profileHTTPCompression?: 'basic' | 'wan' | BigipRef;
  profileDOS?: BigipRef;
  profileBotDefense?: BigipRef;
  profileHTML?: BigipRef;
  profileAccess?: BigipRef;
  policyPerRequestAccess?: BigipRef;
  profileRequestAdapt?: BigipRef;
  profileResponseAdapt?: BigipRef;
  profileWebSocket?: BigipRef;
  profileAnalytics?: BigipRef;
  profileAnalyticsTcp?: BigipRef;
  profileApiProtection?: BigipRef;
  profileProtocolInspection?: BigipRef;
  /** A request-logging profile (CIS Policy `profiles.requestLogProfile`). */
  profileTrafficLog?: BigipRef;
  profileFTP?: BigipRef;
  profileL4?: BigipRef;
  policyWAF?: BigipRef;
  policyFirewallEnforced?: BigipRef;
  ipIntelligencePolicy?: BigipRef;
  securityLogProfiles?: BigipRef[];
  mirroring?: 'none' | 'L4';
  httpMrfRoutingEnabled?: boolean;
  lastHop?: 'default' | 'auto' | 'disable';
}

export type ServiceSettingName = keyof ServiceSettings;

/** Pool properties a resource may set (`loadBalancingMethod`, `reselectTries`, ...), by AS3 name. */
export interface PoolSettings {
  loadBalancingMode?: string;
  reselectTries?: number;
  serviceDownAction?: 'none' | 'reset' | 'drop' | 'reselect';
  /** Members are up when this many monitors pass; `all` (AS3's default) when absent. */
  minimumMonitors?: number;
  slowRampTime?: number;
}

/** `serviceAddress` of a VirtualServer/TransportServer: AS3 Service_Address options for the virtual's address. */
export interface ServiceAddressSettings {
  arpEnabled?: boolean;
  icmpEcho?: 'enable' | 'disable' | 'selective';
  routeAdvertisement?: string;
  trafficGroup?: string;
  spanningEnabled?: boolean;
}
