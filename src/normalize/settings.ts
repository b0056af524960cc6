import type { BigipRef, ProfilePair, ServiceSettingName, ServiceSettings } from '../model/settings.js';
import { absent, isBigipPath, objectOrEmpty } from './fields.js';
import type { FieldReader } from './fields.js';

/**
 * Readers for the virtual-level fields that VirtualServer, TransportServer, Policy and the
 * annotations share. Each returns the AS3-shaped value, `undefined` when the field is absent, or
 * `false` after reporting an unusable value (so callers can tell "absent" from "rejected").
 */

/** A path to an existing BIG-IP object. */
export function bigipPath(r: FieldReader, field: string, value: unknown): BigipRef | undefined | false {
  if (absent(value)) return undefined;
  if (isBigipPath(value)) return { bigip: value };
  r.error(field, `${JSON.stringify(value)} must be the full path of an existing BIG-IP object, such as /Common/name`);
  return false;
}

/** A list of BIG-IP paths; the literal `none` entries CIS accepts in `iRules` are skipped. */
export function bigipPaths(r: FieldReader, field: string, value: unknown, skipNone = false): BigipRef[] | undefined | false {
  if (absent(value)) return undefined;
  if (!Array.isArray(value)) {
    r.error(field, 'must be a list of BIG-IP paths');
    return false;
  }
  const refs: BigipRef[] = [];
  let ok = true;
  value.forEach((item, i) => {
    if (skipNone && item === 'none') return;
    const ref = bigipPath(r, `${field}[${i}]`, item);
    if (ref) refs.push(ref);
    else ok = false;
  });
  return ok ? refs : false;
}

/** Persistence methods AS3 knows by name; anything else must be a BIG-IP persistence profile. */
const BUILTIN_PERSISTENCE = ['cookie', 'destination-address', 'hash', 'msrdp', 'sip-info', 'source-address', 'tls-session-id', 'universal'];

/** `persistenceProfile`: `none` → no persistence, a builtin name, or a BIG-IP profile path. */
export function persistence(r: FieldReader, field: string, value: unknown): Array<string | BigipRef> | undefined | false {
  if (absent(value)) return undefined;
  if (value === 'none') return [];
  if (typeof value === 'string' && BUILTIN_PERSISTENCE.includes(value)) return [value];
  if (isBigipPath(value)) return [{ bigip: value }];
  r.error(field, `${JSON.stringify(value)} must be none, one of ${BUILTIN_PERSISTENCE.join(', ')}, or a BIG-IP persistence profile path`);
  return false;
}

function objectField(r: FieldReader, field: string, value: unknown): Record<string, unknown> | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  r.error(field, 'must be an object');
  return false;
}

/** `{client, server}` profile paths → AS3 `{ingress, egress}`; client only → the plain reference. */
export function profilePair(
  r: FieldReader,
  field: string,
  value: unknown,
  needsClient: boolean,
): BigipRef | ProfilePair | undefined | false {
  const spec = objectField(r, field, value);
  if (!spec) return spec;
  const client = bigipPath(r, `${field}.client`, spec['client']);
  const server = bigipPath(r, `${field}.server`, spec['server']);
  if (client === false || server === false) return false;
  if (client && !server) return client;
  if (!client && !server) return undefined;
  if (!client && needsClient) {
    r.error(`${field}.client`, 'is required when server is set (the server side alone cannot be applied)');
    return false;
  }
  return { ...(client ? { ingress: client } : {}), ...(server ? { egress: server } : {}) };
}

/** `httpCompressionProfile`: AS3's `basic`/`wan` builtins or a BIG-IP profile path. */
export function compression(r: FieldReader, field: string, value: unknown): ServiceSettings['profileHTTPCompression'] | undefined | false {
  if (value === 'basic' || value === 'wan') return value;
  return bigipPath(r, field, value);
}

/** `connectionMirroring`: `none` or `L4`. */
export function mirroring(r: FieldReader, field: string, value: unknown): 'none' | 'L4' | undefined | false {
  if (absent(value)) return undefined;
  if (value === 'none' || value === 'L4') return value;
  r.error(field, `${JSON.stringify(value)} must be none or L4`);
  return false;
}

/** A boolean field (`httpMrfRoutingEnabled`). */
export function flag(r: FieldReader, field: string, value: unknown): boolean | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  r.error(field, `${JSON.stringify(value)} must be true or false`);
  return false;
}

/** `autoLastHop`: `default`, `auto` or `disable`. */
export function lastHop(r: FieldReader, field: string, value: unknown): ServiceSettings['lastHop'] | undefined | false {
  if (absent(value)) return undefined;
  if (value === 'default' || value === 'auto' || value === 'disable') return value;
  r.error(field, `${JSON.stringify(value)} must be default, auto or disable`);
  return false;
}

/**
 * Collects settings: `set(name, value, field)` keeps defined values, remembers the field each came
 * from (for warnings about it later) and remembers rejections, so a normalizer reads every field
 * (reporting all problems at once) and then asks `ok`.
 */
export class SettingsBuilder {
  readonly settings: ServiceSettings = {};
  /** The resource field each setting was read from (`profileL4` → `spec.profiles.profileL4`). */
  readonly fields: Partial<Record<ServiceSettingName, string>> = {};
  ok = true;

  set<K extends ServiceSettingName>(name: K, value: ServiceSettings[K] | undefined | false, field?: string): void {
    if (value === false) this.ok = false;
    else if (value !== undefined) {
      this.settings[name] = value;
      if (field !== undefined) this.fields[name] = field;
    }
  }
}

/** The kinds of resource whose own fields carry virtual settings. */
export type SettingsSource = 'virtualServer' | 'transportServer' | 'policy';

type Reader = (r: FieldReader, field: string, value: unknown) => unknown;

/** One virtual setting: how its value is read and the field it is read from in each kind that has it. */
interface SettingRow {
  name: ServiceSettingName;
  read: Reader;
  from: Partial<Record<SettingsSource, string>>;
}

const iRuleList: Reader = (r, field, value) => bigipPaths(r, field, value, true);
const clientSidePair: Reader = (r, field, value) => profilePair(r, field, value, true);
const eitherSidePair: Reader = (r, field, value) => profilePair(r, field, value, false);

/**
 * Every virtual setting a resource field maps to, in one place: its AS3 name, its reader, and its
 * field in VirtualServer, TransportServer and Policy specs (see the §1.2, §1.5 and §1.7 tables of
 * CIS). Policy `iRules`/`iRuleList` and `profiles.http` are read apart (they depend on the side).
 */
const SETTING_ROWS: readonly SettingRow[] = [
  { name: 'iRules', read: iRuleList, from: { virtualServer: 'spec.iRules', transportServer: 'spec.iRules' } },
  {
    name: 'allowVlans',
    read: bigipPaths,
    from: { virtualServer: 'spec.allowVlans', transportServer: 'spec.allowVlans', policy: 'spec.l3Policies.allowVlans' },
  },
  {
    name: 'persistenceMethods',
    read: persistence,
    from: {
      virtualServer: 'spec.persistenceProfile',
      transportServer: 'spec.persistenceProfile',
      policy: 'spec.profiles.persistenceProfile',
    },
  },
  { name: 'policyWAF', read: bigipPath, from: { virtualServer: 'spec.waf', policy: 'spec.l7Policies.waf' } },
  { name: 'profileMultiplex', read: bigipPath, from: { virtualServer: 'spec.profileMultiplex', policy: 'spec.profiles.profileMultiplex' } },
  {
    name: 'profileHTTPCompression',
    read: compression,
    from: { virtualServer: 'spec.httpCompressionProfile', policy: 'spec.profiles.httpCompressionProfile' },
  },
  { name: 'profileDOS', read: bigipPath, from: { virtualServer: 'spec.dos', transportServer: 'spec.dos', policy: 'spec.l3Policies.dos' } },
  {
    name: 'profileBotDefense',
    read: bigipPath,
    from: { virtualServer: 'spec.botDefense', transportServer: 'spec.botDefense', policy: 'spec.l3Policies.botDefense' },
  },
  { name: 'profileHTML', read: bigipPath, from: { virtualServer: 'spec.htmlProfile', policy: 'spec.profiles.htmlProfile' } },
  { name: 'profileAccess', read: bigipPath, from: { virtualServer: 'spec.profileAccess', policy: 'spec.l7Policies.profileAccess' } },
  {
    name: 'policyPerRequestAccess',
    read: bigipPath,
    from: { virtualServer: 'spec.policyPerRequestAccess', policy: 'spec.l7Policies.policyPerRequestAccess' },
  },
  {
    name: 'profileRequestAdapt',
    read: bigipPath,
    from: { virtualServer: 'spec.profileAdapt.request', policy: 'spec.l7Policies.profileAdapt.request' },
  },
  {
    name: 'profileResponseAdapt',
    read: bigipPath,
    from: { virtualServer: 'spec.profileAdapt.response', policy: 'spec.l7Policies.profileAdapt.response' },
  },
  { name: 'mirroring', read: mirroring, from: { virtualServer: 'spec.connectionMirroring', transportServer: 'spec.connectionMirroring' } },
  {
    name: 'httpMrfRoutingEnabled',
    read: flag,
    from: { virtualServer: 'spec.httpMrfRoutingEnabled', policy: 'spec.profiles.httpMrfRoutingEnabled' },
  },
  {
    name: 'profileTCP',
    read: clientSidePair,
    from: { virtualServer: 'spec.profiles.tcp', transportServer: 'spec.profiles.tcp', policy: 'spec.profiles.tcp' },
  },
  { name: 'profileHTTP2', read: eitherSidePair, from: { virtualServer: 'spec.profiles.http2', policy: 'spec.profiles.http2' } },
  { name: 'profileL4', read: bigipPath, from: { transportServer: 'spec.profileL4', policy: 'spec.profiles.profileL4' } },
  { name: 'policyFirewallEnforced', read: bigipPath, from: { policy: 'spec.l3Policies.firewallPolicy' } },
  { name: 'ipIntelligencePolicy', read: bigipPath, from: { policy: 'spec.l3Policies.ipIntelligencePolicy' } },
  { name: 'profileUDP', read: bigipPath, from: { policy: 'spec.profiles.udp' } },
  { name: 'securityLogProfiles', read: bigipPaths, from: { policy: 'spec.profiles.logProfiles' } },
  { name: 'profileWebSocket', read: bigipPath, from: { policy: 'spec.profiles.profileWebSocket' } },
  { name: 'profileAnalytics', read: bigipPath, from: { policy: 'spec.profiles.analyticsProfiles.http' } },
  { name: 'profileFTP', read: bigipPath, from: { policy: 'spec.profiles.ftpProfile' } },
  { name: 'lastHop', read: lastHop, from: { policy: 'spec.autoLastHop' } },
  {
    name: 'profileAnalyticsTcp',
    read: bigipPath,
    from: {
      virtualServer: 'spec.profileAnalyticsTcp',
      transportServer: 'spec.profileAnalyticsTcp',
      policy: 'spec.profiles.profileAnalyticsTcp',
    },
  },
  {
    name: 'profileProtocolInspection',
    read: bigipPath,
    from: {
      virtualServer: 'spec.profiles.profileProtocolInspection',
      transportServer: 'spec.profiles.profileProtocolInspection',
      policy: 'spec.profiles.profileProtocolInspection',
    },
  },
  {
    name: 'profileApiProtection',
    read: bigipPath,
    from: { virtualServer: 'spec.profileApiProtection', policy: 'spec.l7Policies.profileApiProtection' },
  },
  { name: 'profileTrafficLog', read: bigipPath, from: { policy: 'spec.profiles.requestLogProfile' } },
];

/** A row as one kind reads it: the field, and the keys leading to its value below `spec`. */
interface SourceRead {
  name: ServiceSettingName;
  read: Reader;
  field: string;
  keys: readonly string[];
}

function readsOf(source: SettingsSource): SourceRead[] {
  return SETTING_ROWS.flatMap(({ name, read, from }) => {
    const field = from[source];
    return field === undefined ? [] : [{ name, read, field, keys: field.split('.').slice(1) }];
  });
}

/** Per kind, precomputed once (every VirtualServer of a 10,000-resource cluster is read with it). */
const READS: Record<SettingsSource, readonly SourceRead[]> = {
  virtualServer: readsOf('virtualServer'),
  transportServer: readsOf('transportServer'),
  policy: readsOf('policy'),
};

function valueAt(spec: Record<string, unknown>, keys: readonly string[]): unknown {
  let value: unknown = spec[keys[0] as string];
  for (let i = 1; i < keys.length && value !== undefined; i++) value = objectOrEmpty(value)[keys[i] as string];
  return value;
}

/**
 * Reads every virtual setting a resource of kind `source` has from its `spec`, reporting bad values
 * at their field. The builder holds the settings, the field of each (`fields`), and `ok`.
 */
export function readSettings(r: FieldReader, spec: Record<string, unknown>, source: SettingsSource): SettingsBuilder {
  const b = new SettingsBuilder();
  for (const { name, read, field, keys } of READS[source]) {
    b.set(name, read(r, field, valueAt(spec, keys)) as ServiceSettings[typeof name] | undefined | false, field);
  }
  return b;
}
