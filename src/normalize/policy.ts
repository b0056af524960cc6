import { describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Policy } from '../kube/types.js';
import type { Severity } from '../kube/diagnostic.js';
import type { BigipRef, PoolSettings, ProfilePair, ServiceSettingName, ServiceSettings } from '../model/settings.js';
import type { Snat } from '../model/virtual.js';
import { acceptsSetting, l4ServiceClass } from '../model/service-classes.js';
import type { NormalizeContext } from './context.js';
import { FieldReader, absent, objectOrEmpty } from './fields.js';
import { poolSettings, sourceRanges } from './route-options.js';
import { bigipPath, bigipPaths, readSettings } from './settings.js';

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
  /** The Policy field each of `settings` was read from (`profileL4` → `spec.profiles.profileL4`). */
  fields: Partial<Record<ServiceSettingName, string>>;
  /**
   * `iRuleList` (both virtuals) or `iRules.{secure, insecure}`; `high` puts them before the
   * virtual's own; `from` says which field they came from.
   */
  iRules?: { secure: BigipRef[]; insecure: BigipRef[]; priority: 'high' | 'low'; from: 'iRuleList' | 'iRules' };
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
  /** What the Policy gives each kind of virtual, computed once per Policy (see settingsFor). */
  layers: Readonly<Record<PolicyTarget, PolicyLayer>>;
}

/** The kind of virtual a Policy is applied to: the HTTP or HTTPS virtual of a VirtualServer, or an L4 virtual. */
export type PolicyTarget = 'http' | 'https' | 'l4';

/** The Policy's part of one kind of virtual: its settings (iRules apart) and the Policy fields left out. */
export interface PolicyLayer {
  settings: ServiceSettings;
  ignored: readonly string[];
}

type Spec = Record<string, unknown>;

const ALL: readonly PolicyTarget[] = ['http', 'https', 'l4'];
const HTTP: readonly PolicyTarget[] = ['http', 'https'];
const L4: readonly PolicyTarget[] = ['l4'];

/**
 * CIS scope: the kinds of virtual each Policy setting applies to, after CIS's
 * `handleVSResourceConfigForPolicy` (VirtualServers) and `handleTSResourceConfigForPolicy`
 * (TransportServers, LoadBalancer Services); absent means all. Which AS3 class carries which
 * property is translate/service.ts's business, not this table's.
 */
const SCOPE: Partial<Record<ServiceSettingName, readonly PolicyTarget[]>> = {
  profileAccess: HTTP,
  policyPerRequestAccess: HTTP,
  profileRequestAdapt: HTTP,
  profileResponseAdapt: HTTP,
  profileMultiplex: HTTP,
  profileHTTPCompression: HTTP,
  profileHTML: HTTP,
  profileWebSocket: HTTP,
  profileAnalytics: HTTP,
  httpMrfRoutingEnabled: HTTP,
  lastHop: HTTP,
  profileApiProtection: HTTP,
  profileUDP: L4,
  profileL4: L4,
  profileFTP: L4,
};

/** Every AS3 class an L4 virtual may have. */
const L4_CLASSES = (['tcp', 'udp', 'sctp'] as const).flatMap((type) => [
  l4ServiceClass(type, 'standard'),
  l4ServiceClass(type, 'performance'),
]);

/**
 * Whether a Policy setting reaches a virtual of this kind. CIS also copies `l7Policies.waf`,
 * `l3Policies.dos` and `l3Policies.botDefense` onto L4 virtuals, but no AS3 L4 class (Service_TCP,
 * _UDP, _SCTP, _L4) has `policyWAF`, `profileDOS` or `profileBotDefense`, so the BIG-IP never
 * applied them: kube-as3 reports them as not applying there instead.
 */
function reaches(name: ServiceSettingName, target: PolicyTarget): boolean {
  if (!(SCOPE[name] ?? ALL).includes(target)) return false;
  return target !== 'l4' || L4_CLASSES.some((cls) => acceptsSetting(cls, name));
}

/** Policy fields CIS accepts that have no effect here; a Policy that sets them gets a warning. */
const IGNORED_FIELDS: ReadonlyArray<[string[], string]> = [
  [['profiles', 'rewriteProfile'], 'is ignored: CIS validated it but never applied it, and kube-as3 does not either; remove it'],
  [['profiles', 'sslProfiles'], 'is ignored: it only applies to OpenShift Routes; nothing to change (CIS may keep using it)'],
  [
    ['poolSettings', 'multiPoolPersistence'],
    "is not supported by this version of kube-as3 (it only applies to CIS's A/B iRules; kube-as3 weights members in one pool, so persistence spans the backends) and was ignored; remove it",
  ],
];

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
  if (list && list.length > 0) return { secure: list, insecure: list, priority: order, from: 'iRuleList' };
  if (secure.length === 0 && insecure.length === 0) return undefined;
  return { secure, insecure, priority: order, from: 'iRules' };
}

function readHttpProfiles(r: FieldReader, profiles: Spec): PolicyModel['httpProfiles'] | false {
  const both = bigipPath(r, 'spec.profiles.http', profiles['http']);
  const sides = objectOrEmpty(profiles['httpProfiles']);
  const secure = bigipPath(r, 'spec.profiles.httpProfiles.secure', sides['secure']) ?? both;
  const insecure = bigipPath(r, 'spec.profiles.httpProfiles.insecure', sides['insecure']) ?? both;
  if (both === false || secure === false || insecure === false) return false;
  if (!secure && !insecure) return undefined;
  return { ...(secure ? { secure } : {}), ...(insecure ? { insecure } : {}) };
}

/** `poolSettings`: the pool settings every pool of the resource gets unless it sets its own. */
function readPoolSettings(r: FieldReader, value: unknown): PoolSettings | undefined | false {
  const spec = objectOrEmpty(value);
  return poolSettings(r, 'spec.poolSettings', {
    reselectTries: spec['reselectTries'],
    serviceDownAction: spec['serviceDownAction'],
    slowRampTime: spec['slowRampTime'],
  });
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

/** Policy parts outside `settings` that an L4 virtual cannot use, as Policy fields. */
function ignoredOnL4(model: Omit<PolicyModel, 'layers'>): string[] {
  const out: string[] = [];
  if (model.iRules?.from === 'iRules' && model.iRules.secure.length > 0) out.push('spec.iRules.secure');
  if (model.httpProfiles) out.push('spec.profiles.http');
  if (model.http2) out.push('spec.profiles.http2');
  if (model.allowSourceRange) out.push('spec.l3Policies.allowSourceRange');
  if (model.defaultPool !== undefined) out.push('spec.defaultPool');
  return out;
}

/** The Policy's settings for one kind of virtual (iRules apart: they add up with the virtual's own). */
function layerFor(model: Omit<PolicyModel, 'layers'>, target: PolicyTarget): PolicyLayer {
  const settings: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [name, field] of Object.entries(model.fields) as Array<[ServiceSettingName, string]>) {
    if (reaches(name, target)) settings[name] = model.settings[name];
    else ignored.push(field);
  }
  const http = target === 'https' ? model.httpProfiles?.secure : target === 'http' ? model.httpProfiles?.insecure : undefined;
  if (http) settings['profileHTTP'] = http;
  if (target === 'https' && model.http2) settings['profileHTTP2'] = model.http2;
  if (target === 'l4') ignored.push(...ignoredOnL4(model));
  return { settings: settings as ServiceSettings, ignored };
}

/** Reads a Policy spec with `r` reporting against the Policy's own field names. */
function readPolicySpec(r: FieldReader, source: ObjectRef, spec: Spec): PolicyModel | undefined {
  if (spec['ltmPolicies'] !== undefined && spec['ltmPolicies'] !== null) {
    r.error(
      'spec.ltmPolicies',
      'LTM policies are not supported (as in CIS); remove ltmPolicies and route with VirtualServer pools instead',
    );
  }
  warnIgnoredFields(r, spec);
  const b = readSettings(r, spec, 'policy');
  const iRules = readIRules(r, spec);
  const httpProfiles = readHttpProfiles(r, objectOrEmpty(spec['profiles']));
  const pool = readPoolSettings(r, spec['poolSettings']);
  const snat = readSnat(r, spec['snat']);
  const allowSourceRange = sourceRanges(r, 'spec.l3Policies.allowSourceRange', objectOrEmpty(spec['l3Policies'])['allowSourceRange']);
  if (r.hasErrors || !b.ok || [iRules, httpProfiles, pool, allowSourceRange].includes(false)) return undefined;
  // HTTP/2 is kept apart: it goes on HTTPS virtuals only.
  const { profileHTTP2: http2, ...settings } = b.settings;
  const { profileHTTP2: _http2Field, ...fields } = b.fields;
  const defaultPool = spec['defaultPool'];
  const model: Omit<PolicyModel, 'layers'> = {
    source,
    settings,
    fields,
    ...(iRules ? { iRules } : {}),
    ...(httpProfiles ? { httpProfiles } : {}),
    ...(http2 ? { http2 } : {}),
    ...(snat ? { snat } : {}),
    ...(pool ? { pool } : {}),
    ...(defaultPool === undefined || defaultPool === null ? {} : { defaultPool }),
    ...(allowSourceRange ? { allowSourceRange } : {}),
  };
  return { ...model, layers: { http: layerFor(model, 'http'), https: layerFor(model, 'https'), l4: layerFor(model, 'l4') } };
}

interface ParsedPolicy {
  model: PolicyModel | undefined;
  /** The Policy's problems, worded for the resources that use it (`Policy prod/p spec.snat: ...`). */
  problems: Array<{ severity: Severity; message: string }>;
}

/** Parsed Policies by object: many resources share one Policy, and objects are replaced, never changed, on update. */
const parsed = new WeakMap<Policy, ParsedPolicy>();

function parsePolicy(policy: Policy, source: ObjectRef): ParsedPolicy {
  const cached = parsed.get(policy);
  if (cached) return cached;
  const reader = new FieldReader(source);
  const spec = policy.spec;
  const model =
    typeof spec === 'object' && spec !== null && !Array.isArray(spec)
      ? readPolicySpec(reader, source, spec)
      : reader.error('spec', 'is required');
  const name = describeRef(source);
  const problems = reader.diagnostics.map((d) => ({ severity: d.severity, message: `${name} ${d.field ?? 'spec'}: ${d.message}` }));
  const result = { model, problems };
  parsed.set(policy, result);
  return result;
}

/**
 * The Policy `namespace/name` that a resource names at `field`, ready to apply, or undefined after
 * reporting why it cannot be used (missing, not selected by customResourceLabel, `ltmPolicies`,
 * unusable values). Problems are reported on the referencing resource at `field`; the message names
 * the Policy and its field (`Policy prod/p spec.l3Policies.dos: ...`).
 */
export function resolvePolicy(
  r: FieldReader,
  ctx: NormalizeContext,
  namespace: string,
  name: string,
  field: string,
): PolicyModel | undefined {
  const source: ObjectRef = { kind: 'Policy', namespace, name };
  // `run` never sees a namespace it does not read; `plan` must not use what `run` would not find.
  const unread = ctx.unreadNamespace(namespace);
  const policy = unread === undefined ? ctx.get<Policy>('Policy', namespace, name) : undefined;
  if (!policy)
    return r.error(
      field,
      `Policy ${namespace}/${name} was not found; ${unread ?? `create it, or name an existing Policy of namespace ${namespace}`}`,
    );
  if (!ctx.selectsResource(policy)) {
    const label = ctx.config.customResourceLabel;
    return r.error(
      field,
      `${describeRef(source)} is ignored: its labels do not match customResourceLabel "${label}"; label the Policy (for example f5cr: "true")`,
    );
  }
  const { model, problems } = parsePolicy(policy, source);
  for (const p of problems) {
    if (p.severity === 'error') r.error(field, p.message);
    else r.warn(field, p.message);
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
  const fromPolicy = target === 'https' ? (policy.iRules?.secure ?? []) : (policy.iRules?.insecure ?? []);
  const mine = own ?? [];
  const rules = policy.iRules?.priority === 'high' ? [...fromPolicy, ...mine] : [...mine, ...fromPolicy];
  return rules.length > 0 || own ? uniqueRules(rules) : undefined;
}

/**
 * The settings of one virtual: its resource's own settings win over the Policy's (as in CIS), except
 * iRules, which add up (the Policy's `secure` rules on HTTPS, `insecure` on HTTP and L4; `priority:
 * high` puts the Policy's first). Policy settings that do not apply to that kind of virtual are left
 * out and listed (as Policy fields, `spec.profiles.profileL4`) in `ignored`, for the caller to warn.
 */
export function settingsFor(
  policy: PolicyModel | undefined,
  own: ServiceSettings,
  virtual: PolicyTarget,
): { settings: ServiceSettings; ignored: readonly string[] } {
  if (!policy) return { settings: own, ignored: [] };
  const layer = policy.layers[virtual];
  const settings: ServiceSettings = { ...layer.settings, ...own };
  const iRules = mergedIRules(policy, own.iRules, virtual);
  if (iRules) settings.iRules = iRules;
  return { settings, ignored: layer.ignored };
}

/**
 * Splits the settings of an L4 virtual into those its AS3 class accepts (Service_TCP, Service_UDP
 * or Service_SCTP in standard mode, Service_L4 in performance mode; see translate/service.ts) and
 * the names of the others, for the caller to warn about.
 */
export function settingsForL4Virtual(
  settings: ServiceSettings,
  type: 'tcp' | 'udp' | 'sctp',
  mode: 'standard' | 'performance',
): { settings: ServiceSettings; ignored: ServiceSettingName[] } {
  const cls = l4ServiceClass(type, mode);
  const kept: Record<string, unknown> = {};
  const ignored: ServiceSettingName[] = [];
  for (const [name, value] of Object.entries(settings) as Array<[ServiceSettingName, unknown]>) {
    if (acceptsSetting(cls, name)) kept[name] = value;
    else ignored.push(name);
  }
  return { settings: kept as ServiceSettings, ignored };
}

/**
 * The Policy a VirtualServer or TransportServer names: `policyName`, in `policyNamespace` (CIS
 * 2.20; the resource's own namespace when absent).
 */
export function namedPolicy(r: FieldReader, spec: Spec, ref: ObjectRef, ctx: NormalizeContext): PolicyModel | undefined {
  const name = spec['policyName'];
  const namespace = r.namespace('spec.policyNamespace', spec['policyNamespace'], ref.namespace);
  if (absent(name)) {
    if (!absent(spec['policyNamespace']))
      r.warn('spec.policyNamespace', 'ignored: spec.policyName is not set; name the Policy there, or remove policyNamespace');
    return undefined;
  }
  if (typeof name !== 'string') return r.error('spec.policyName', `${JSON.stringify(name)} must be the name of a Policy`);
  return namespace === undefined ? undefined : resolvePolicy(r, ctx, namespace, name, 'spec.policyName');
}
