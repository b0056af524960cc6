import { describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import { parseLabelSelector } from '../kube/label-selector.js';
import type { LabelSelector } from '../kube/label-selector.js';
import type { Policy } from '../kube/types.js';
import type { Severity } from '../model/diagnostic.js';
import type { BigipRef, PoolSettings, ProfilePair, ServiceSettingName, ServiceSettings } from '../model/settings.js';
import type { Snat, VirtualType } from '../model/virtual.js';
import type { NormalizeContext } from './context.js';
import { FieldReader } from './fields.js';
import { sourceRanges } from './route-options.js';
import { SettingsBuilder, bigipPath, bigipPaths, compression, flag, persistence, profilePair } from './settings.js';

/**
 * The Policy custom resource (cis.f5.com/v1): BIG-IP profiles and policies shared by the
 * VirtualServers, TransportServers and LoadBalancer Services that name it. A Policy has no status
 * of its own, so every problem with it is reported on the resource that uses it, at the field that
 * names it (`spec.policyName`), with the Policy and its own field in the message.
 */
export interface PolicyModel {
  /** The Policy. */
  source: ObjectRef;
  /** Everything that maps to a property of the virtual, by AS3 name (see the §1.7 table of CIS). */
  settings: ServiceSettings;
  /** `iRuleList` (both virtuals) or `iRules.{secure, insecure}`; `high` puts them before the virtual's own. */
  iRules?: { secure: BigipRef[]; insecure: BigipRef[]; priority: 'high' | 'low' };
  /** `profiles.httpProfiles` per side, or `profiles.http` for both. */
  httpProfiles?: { secure?: BigipRef; insecure?: BigipRef };
  /** `profiles.http2`: HTTPS virtuals only. */
  http2?: BigipRef | ProfilePair;
  snat?: Snat;
  /** `poolSettings.{reselectTries, serviceDownAction, slowRampTime}`; a pool's own values win. */
  pool?: PoolSettings;
  /** Raw `spec.defaultPool`: the VirtualServer normalizer reads it when the VirtualServer has none. */
  defaultPool?: unknown;
  /** `l3Policies.allowSourceRange`: validated client CIDRs (VirtualServers only). */
  allowSourceRange?: string[];
}

/** The kind of virtual a Policy is applied to: the HTTP or HTTPS virtual of a VirtualServer, or an L4 virtual. */
export type PolicyTarget = 'http' | 'https' | 'l4';

type Spec = Record<string, unknown>;

/** Where each virtual setting comes from in a Policy, and which kinds of virtual it applies to. */
interface SettingSource {
  field: string;
  targets: readonly PolicyTarget[];
}

const ALL: readonly PolicyTarget[] = ['http', 'https', 'l4'];
const HTTP: readonly PolicyTarget[] = ['http', 'https'];
const L4: readonly PolicyTarget[] = ['l4'];

/**
 * The Policy fields that become virtual properties, after CIS's `handleVSResourceConfigForPolicy`
 * (VirtualServers) and `handleTSResourceConfigForPolicy` (TransportServers, LoadBalancer Services).
 * CIS also copies `l7Policies.waf`, `l3Policies.dos` and `l3Policies.botDefense` onto L4 virtuals,
 * but AS3 (3.56) has no `policyWAF`, `profileDOS` or `profileBotDefense` on Service_TCP, _UDP, _SCTP
 * or _L4, so the BIG-IP never applied them: kube-as3 reports them as ignored there instead.
 */
const SETTING_SOURCES: Partial<Record<ServiceSettingName, SettingSource>> = {
  policyWAF: { field: 'spec.l7Policies.waf', targets: HTTP },
  profileAccess: { field: 'spec.l7Policies.profileAccess', targets: HTTP },
  policyPerRequestAccess: { field: 'spec.l7Policies.policyPerRequestAccess', targets: HTTP },
  profileRequestAdapt: { field: 'spec.l7Policies.profileAdapt.request', targets: HTTP },
  profileResponseAdapt: { field: 'spec.l7Policies.profileAdapt.response', targets: HTTP },
  profileDOS: { field: 'spec.l3Policies.dos', targets: HTTP },
  profileBotDefense: { field: 'spec.l3Policies.botDefense', targets: HTTP },
  policyFirewallEnforced: { field: 'spec.l3Policies.firewallPolicy', targets: ALL },
  ipIntelligencePolicy: { field: 'spec.l3Policies.ipIntelligencePolicy', targets: ALL },
  allowVlans: { field: 'spec.l3Policies.allowVlans', targets: ALL },
  profileTCP: { field: 'spec.profiles.tcp', targets: ALL },
  profileUDP: { field: 'spec.profiles.udp', targets: L4 },
  persistenceMethods: { field: 'spec.profiles.persistenceProfile', targets: ALL },
  securityLogProfiles: { field: 'spec.profiles.logProfiles', targets: ALL },
  profileL4: { field: 'spec.profiles.profileL4', targets: L4 },
  profileMultiplex: { field: 'spec.profiles.profileMultiplex', targets: HTTP },
  profileHTTPCompression: { field: 'spec.profiles.httpCompressionProfile', targets: HTTP },
  profileHTML: { field: 'spec.profiles.htmlProfile', targets: HTTP },
  profileWebSocket: { field: 'spec.profiles.profileWebSocket', targets: HTTP },
  profileAnalytics: { field: 'spec.profiles.analyticsProfiles.http', targets: HTTP },
  profileFTP: { field: 'spec.profiles.ftpProfile', targets: L4 },
  httpMrfRoutingEnabled: { field: 'spec.profiles.httpMrfRoutingEnabled', targets: HTTP },
  lastHop: { field: 'spec.autoLastHop', targets: HTTP },
};

/** The Policy field a virtual setting comes from (`profileL4` → `spec.profiles.profileL4`). */
export function policyFieldOf(name: ServiceSettingName): string {
  return SETTING_SOURCES[name]?.field ?? name;
}

/** Policy fields CIS accepts that have no effect here; a Policy that sets them gets a warning. */
const IGNORED_FIELDS: ReadonlyArray<[string[], string]> = [
  [['profiles', 'rewriteProfile'], 'is ignored: CIS validated it but never applied it, and kube-as3 does not either'],
  [['profiles', 'sslProfiles'], 'is ignored: it only applies to OpenShift Routes'],
  [['profiles', 'profileAnalyticsTcp'], 'is not supported by this version of kube-as3 and was ignored'],
  [['profiles', 'profileProtocolInspection'], 'is not supported by this version of kube-as3 and was ignored'],
  [['profiles', 'requestLogProfile'], 'is not supported by this version of kube-as3 and was ignored'],
  [['poolSettings', 'multiPoolPersistence'], 'is not supported by this version of kube-as3 (it only applies to A/B iRules) and was ignored'],
];

function objectOrEmpty(value: unknown): Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Spec : {};
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function readL7AndL3(r: FieldReader, b: SettingsBuilder, spec: Spec): void {
  const l7 = objectOrEmpty(spec['l7Policies']);
  b.set('policyWAF', bigipPath(r, 'spec.l7Policies.waf', l7['waf']));
  b.set('profileAccess', bigipPath(r, 'spec.l7Policies.profileAccess', l7['profileAccess']));
  b.set('policyPerRequestAccess', bigipPath(r, 'spec.l7Policies.policyPerRequestAccess', l7['policyPerRequestAccess']));
  const adapt = objectOrEmpty(l7['profileAdapt']);
  b.set('profileRequestAdapt', bigipPath(r, 'spec.l7Policies.profileAdapt.request', adapt['request']));
  b.set('profileResponseAdapt', bigipPath(r, 'spec.l7Policies.profileAdapt.response', adapt['response']));
  const l3 = objectOrEmpty(spec['l3Policies']);
  b.set('profileDOS', bigipPath(r, 'spec.l3Policies.dos', l3['dos']));
  b.set('profileBotDefense', bigipPath(r, 'spec.l3Policies.botDefense', l3['botDefense']));
  b.set('policyFirewallEnforced', bigipPath(r, 'spec.l3Policies.firewallPolicy', l3['firewallPolicy']));
  b.set('ipIntelligencePolicy', bigipPath(r, 'spec.l3Policies.ipIntelligencePolicy', l3['ipIntelligencePolicy']));
  b.set('allowVlans', bigipPaths(r, 'spec.l3Policies.allowVlans', l3['allowVlans']));
}

function readProfiles(r: FieldReader, b: SettingsBuilder, profiles: Spec): void {
  b.set('profileTCP', profilePair(r, 'spec.profiles.tcp', profiles['tcp'], true));
  b.set('profileUDP', bigipPath(r, 'spec.profiles.udp', profiles['udp']));
  b.set('persistenceMethods', persistence(r, 'spec.profiles.persistenceProfile', profiles['persistenceProfile']));
  b.set('securityLogProfiles', bigipPaths(r, 'spec.profiles.logProfiles', profiles['logProfiles']));
  b.set('profileL4', bigipPath(r, 'spec.profiles.profileL4', profiles['profileL4']));
  b.set('profileMultiplex', bigipPath(r, 'spec.profiles.profileMultiplex', profiles['profileMultiplex']));
  b.set('profileHTTPCompression', compression(r, 'spec.profiles.httpCompressionProfile', profiles['httpCompressionProfile']));
  b.set('profileHTML', bigipPath(r, 'spec.profiles.htmlProfile', profiles['htmlProfile']));
  b.set('profileWebSocket', bigipPath(r, 'spec.profiles.profileWebSocket', profiles['profileWebSocket']));
  b.set('profileAnalytics', bigipPath(r, 'spec.profiles.analyticsProfiles.http', objectOrEmpty(profiles['analyticsProfiles'])['http']));
  b.set('profileFTP', bigipPath(r, 'spec.profiles.ftpProfile', profiles['ftpProfile']));
  b.set('httpMrfRoutingEnabled', flag(r, 'spec.profiles.httpMrfRoutingEnabled', profiles['httpMrfRoutingEnabled']));
}

function readLastHop(r: FieldReader, b: SettingsBuilder, value: unknown): void {
  if (absent(value)) return;
  if (value === 'default' || value === 'auto' || value === 'disable') return b.set('lastHop', value);
  r.error('spec.autoLastHop', `${JSON.stringify(value)} must be default, auto or disable`);
  b.ok = false;
}

/** One iRule of `iRules.secure`/`insecure`; `none` means no iRule. */
function oneIRule(r: FieldReader, field: string, value: unknown): BigipRef[] | false {
  if (absent(value) || value === 'none') return [];
  const ref = bigipPath(r, field, value);
  return ref ? [ref] : false;
}

function readIRules(r: FieldReader, spec: Spec): PolicyModel['iRules'] | false {
  const list = bigipPaths(r, 'spec.iRuleList', spec['iRuleList'], true);
  const rules = objectOrEmpty(spec['iRules']);
  const priority = rules['priority'];
  if (!absent(priority) && priority !== 'high' && priority !== 'low') {
    r.error('spec.iRules.priority', `${JSON.stringify(priority)} must be high or low`);
    return false;
  }
  const secure = oneIRule(r, 'spec.iRules.secure', rules['secure']);
  const insecure = oneIRule(r, 'spec.iRules.insecure', rules['insecure']);
  if (list === false || secure === false || insecure === false) return false;
  const order = priority === 'high' ? 'high' : 'low';
  // iRuleList wins over iRules.secure/insecure and applies to every virtual (as in CIS).
  if (list && list.length > 0) return { secure: list, insecure: list, priority: order };
  if (secure.length === 0 && insecure.length === 0) return undefined;
  return { secure, insecure, priority: order };
}

function readHttpProfiles(r: FieldReader, profiles: Spec): PolicyModel['httpProfiles'] | false {
  const both = bigipPath(r, 'spec.profiles.http', profiles['http']);
  const sides = objectOrEmpty(profiles['httpProfiles']);
  const secure = bigipPath(r, 'spec.profiles.httpProfiles.secure', sides['secure']);
  const insecure = bigipPath(r, 'spec.profiles.httpProfiles.insecure', sides['insecure']);
  if (both === false || secure === false || insecure === false) return false;
  const out = { ...(secure ?? both ? { secure: secure ?? both } : {}), ...(insecure ?? both ? { insecure: insecure ?? both } : {}) };
  return Object.keys(out).length > 0 ? out as PolicyModel['httpProfiles'] : undefined;
}

function integer(r: FieldReader, field: string, value: unknown, max: number): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return value;
  r.error(field, `${JSON.stringify(value)} must be a whole number from 0 to ${max}`);
  return false;
}

const DOWN_ACTIONS = ['none', 'reset', 'drop', 'reselect'] as const;

function readPoolSettings(r: FieldReader, value: unknown): PoolSettings | undefined | false {
  const spec = objectOrEmpty(value);
  const reselect = integer(r, 'spec.poolSettings.reselectTries', spec['reselectTries'], 65535);
  const slowRamp = integer(r, 'spec.poolSettings.slowRampTime', spec['slowRampTime'], 900);
  const down = spec['serviceDownAction'];
  const badDown = !absent(down) && !(DOWN_ACTIONS as readonly unknown[]).includes(down);
  if (badDown) r.error('spec.poolSettings.serviceDownAction', `${JSON.stringify(down)} must be one of ${DOWN_ACTIONS.join(', ')}`);
  if (reselect === false || slowRamp === false || badDown) return false;
  const out: PoolSettings = {
    ...(reselect === undefined ? {} : { reselectTries: reselect }),
    ...(absent(down) ? {} : { serviceDownAction: down as PoolSettings['serviceDownAction'] }),
    ...(slowRamp === undefined ? {} : { slowRampTime: slowRamp }),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

function readSnat(r: FieldReader, value: unknown): Snat | undefined {
  return absent(value) ? undefined : r.snat('spec.snat', value);
}

function warnIgnoredFields(r: FieldReader, spec: Spec): void {
  for (const [path, message] of IGNORED_FIELDS) {
    const [group = '', key = ''] = path;
    if (objectOrEmpty(spec[group])[key] !== undefined) r.warn(`spec.${path.join('.')}`, message);
  }
}

/** Reads a Policy spec with `r` reporting against the Policy's own field names. */
function readPolicySpec(r: FieldReader, source: ObjectRef, spec: Spec): PolicyModel | undefined {
  if (spec['ltmPolicies'] !== undefined && spec['ltmPolicies'] !== null) {
    r.error('spec.ltmPolicies', 'LTM policies are not supported (as in CIS); remove ltmPolicies and route with VirtualServer pools instead');
  }
  warnIgnoredFields(r, spec);
  const b = new SettingsBuilder();
  readL7AndL3(r, b, spec);
  const profiles = objectOrEmpty(spec['profiles']);
  readProfiles(r, b, profiles);
  readLastHop(r, b, spec['autoLastHop']);
  const iRules = readIRules(r, spec);
  const httpProfiles = readHttpProfiles(r, profiles);
  const http2 = profilePair(r, 'spec.profiles.http2', profiles['http2'], false);
  const pool = readPoolSettings(r, spec['poolSettings']);
  const snat = readSnat(r, spec['snat']);
  const allowSourceRange = sourceRanges(r, 'spec.l3Policies.allowSourceRange', objectOrEmpty(spec['l3Policies'])['allowSourceRange']);
  if (r.hasErrors || !b.ok || [iRules, httpProfiles, http2, pool, allowSourceRange].includes(false)) return undefined;
  const defaultPool = spec['defaultPool'];
  return {
    source, settings: b.settings,
    ...(iRules ? { iRules } : {}),
    ...(httpProfiles ? { httpProfiles } : {}),
    ...(http2 ? { http2 } : {}),
    ...(snat ? { snat } : {}),
    ...(pool ? { pool } : {}),
    ...(defaultPool === undefined || defaultPool === null ? {} : { defaultPool }),
    ...(allowSourceRange ? { allowSourceRange } : {}),
  };
}

interface ParsedPolicy {
  model: PolicyModel | undefined;
  problems: Array<{ severity: Severity; field: string; message: string }>;
}

/** Parsed Policies by object: many resources share one Policy, and objects are replaced, never changed, on update. */
const parsed = new WeakMap<Policy, ParsedPolicy>();

function parsePolicy(policy: Policy, source: ObjectRef): ParsedPolicy {
  const cached = parsed.get(policy);
  if (cached) return cached;
  const reader = new FieldReader(source);
  const spec = policy.spec;
  const model = typeof spec === 'object' && spec !== null && !Array.isArray(spec)
    ? readPolicySpec(reader, source, spec)
    : reader.error('spec', 'is required');
  const problems = reader.diagnostics.map((d) => ({ severity: d.severity, field: d.field ?? 'spec', message: d.message }));
  const result = { model, problems };
  parsed.set(policy, result);
  return result;
}

const selectors = new Map<string, LabelSelector | undefined>();

/** The configured customResourceLabel (validated with the config; an unparsable one selects nothing). */
function resourceLabel(source: string): LabelSelector | undefined {
  if (!selectors.has(source)) {
    const selector = parseLabelSelector(source);
    selectors.set(source, 'error' in selector ? undefined : selector);
  }
  return selectors.get(source);
}

/**
 * The Policy `namespace/name` that a resource names at `field`, ready to apply, or undefined after
 * reporting why it cannot be used (missing, not selected by customResourceLabel, `ltmPolicies`,
 * unusable values). Problems are reported on the referencing resource at `field`; the message names
 * the Policy and its field (`Policy prod/p spec.l3Policies.dos: ...`).
 */
export function resolvePolicy(r: FieldReader, ctx: NormalizeContext, namespace: string, name: string, field: string): PolicyModel | undefined {
  const source: ObjectRef = { kind: 'Policy', namespace, name };
  const policy = ctx.get<Policy>('Policy', namespace, name);
  if (!policy) return r.error(field, `Policy ${namespace}/${name} does not exist (it must be in the same namespace as the resource)`);
  const label = ctx.config.customResourceLabel;
  if (!resourceLabel(label)?.matches(policy.metadata?.labels)) {
    return r.error(field, `${describeRef(source)} is ignored: its labels do not match customResourceLabel "${label}"; label the Policy (for example f5cr: "true")`);
  }
  const { model, problems } = parsePolicy(policy, source);
  for (const p of problems) {
    const message = `${describeRef(source)} ${p.field}: ${p.message}`;
    if (p.severity === 'error') r.error(field, message);
    else r.warn(field, message);
  }
  return model;
}

/** Keeps the first occurrence of each iRule (a rule listed twice would run twice). */
function uniqueRules(rules: BigipRef[]): BigipRef[] {
  const seen = new Set<string>();
  const out: BigipRef[] = [];
  for (const rule of rules) {
    if (seen.has(rule.bigip)) continue;
    seen.add(rule.bigip);
    out.push(rule);
  }
  return out;
}

function mergedIRules(policy: PolicyModel, own: BigipRef[] | undefined, target: PolicyTarget): BigipRef[] | undefined {
  const fromPolicy = target === 'https' ? policy.iRules?.secure ?? [] : policy.iRules?.insecure ?? [];
  const mine = own ?? [];
  const rules = policy.iRules?.priority === 'high' ? [...fromPolicy, ...mine] : [...mine, ...fromPolicy];
  return rules.length > 0 || own ? uniqueRules(rules) : undefined;
}

/** Policy parts outside `settings` that one kind of virtual cannot use. */
function ignoredExtras(policy: PolicyModel, target: PolicyTarget): string[] {
  if (target !== 'l4') return [];
  const out: string[] = [];
  if (policy.httpProfiles) out.push('spec.profiles.http');
  if (policy.http2) out.push('spec.profiles.http2');
  if (policy.allowSourceRange) out.push('spec.l3Policies.allowSourceRange');
  if (policy.defaultPool !== undefined) out.push('spec.defaultPool');
  return out;
}

/**
 * The settings of one virtual: its resource's own settings win over the Policy's (as in CIS), except
 * iRules, which add up (the Policy's `secure` rules on HTTPS, `insecure` on HTTP and L4; `priority:
 * high` puts the Policy's first). Policy settings that do not apply to that kind of virtual are left
 * out and listed (as Policy fields, `spec.profiles.profileL4`) in `ignored`, for the caller to warn.
 */
export function settingsFor(policy: PolicyModel | undefined, own: ServiceSettings, virtual: PolicyTarget): { settings: ServiceSettings; ignored: string[] } {
  if (!policy) return { settings: own, ignored: [] };
  const fromPolicy: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(policy.settings) as Array<[ServiceSettingName, unknown]>) {
    const source = SETTING_SOURCES[name];
    if (source && !source.targets.includes(virtual)) ignored.push(source.field);
    else fromPolicy[name] = value;
  }
  const http = virtual === 'https' ? policy.httpProfiles?.secure : virtual === 'http' ? policy.httpProfiles?.insecure : undefined;
  if (http) fromPolicy['profileHTTP'] = http;
  if (virtual === 'https' && policy.http2) fromPolicy['profileHTTP2'] = policy.http2;
  const settings: ServiceSettings = { ...(fromPolicy as ServiceSettings), ...own };
  const iRules = mergedIRules(policy, own.iRules, virtual);
  if (iRules) settings.iRules = iRules;
  return { settings, ignored: [...ignored, ...ignoredExtras(policy, virtual)] };
}

/** Settings every AS3 L4 class (Service_TCP, _UDP, _SCTP, _L4) accepts. */
const ON_EVERY_L4: ReadonlySet<ServiceSettingName> = new Set<ServiceSettingName>([
  'iRules', 'allowVlans', 'persistenceMethods', 'policyFirewallEnforced', 'ipIntelligencePolicy', 'securityLogProfiles',
  'mirroring', 'lastHop', 'httpMrfRoutingEnabled',
]);

function acceptedOnL4(name: ServiceSettingName, type: VirtualType, performance: boolean): boolean {
  if (ON_EVERY_L4.has(name)) return true;
  if (name === 'profileL4') return performance;
  if (performance) return false;
  if (name === 'profileTCP' || name === 'profileFTP') return type === 'tcp';
  return name === 'profileUDP' && type === 'udp';
}

/**
 * Keeps the settings the AS3 class of an L4 virtual accepts: Service_TCP, Service_UDP or Service_SCTP
 * in standard mode, Service_L4 in performance mode (`profileL4` only there; `profileTCP` and
 * `profileFTP` on TCP, `profileUDP` on UDP; no WAF, DoS or Bot Defense on any of them). The names of
 * the dropped settings are returned for the caller to warn about.
 */
export function settingsForL4Virtual(settings: ServiceSettings, type: VirtualType, mode: 'standard' | 'performance'): { settings: ServiceSettings; ignored: ServiceSettingName[] } {
  const kept: Record<string, unknown> = {};
  const ignored: ServiceSettingName[] = [];
  for (const [name, value] of Object.entries(settings) as Array<[ServiceSettingName, unknown]>) {
    if (acceptedOnL4(name, type, mode === 'performance')) kept[name] = value;
    else ignored.push(name);
  }
  return { settings: kept as ServiceSettings, ignored };
}
