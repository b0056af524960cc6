import { parseAddress } from '../lib/ip.js';
import type { BigipRef } from '../model/settings.js';
import type { MonitorModel } from '../model/virtual.js';
import type { FieldReader } from './fields.js';
import { hostName, loadBalancingMode, targetPath } from './route-options.js';
import { bigipPath } from './settings.js';

/**
 * The CIS Ingress annotations (reference: cis-features §1.12) read into clean values. Every bad
 * value is an error on the field `metadata.annotations["<name>"]` that says what is wrong; how the
 * values apply to the Ingress's routes is decided in ingress.ts.
 */

export const ANNOTATIONS = {
  ip: 'virtual-server.f5.com/ip',
  partition: 'virtual-server.f5.com/partition',
  httpPort: 'virtual-server.f5.com/http-port',
  httpsPort: 'virtual-server.f5.com/https-port',
  balance: 'virtual-server.f5.com/balance',
  health: 'virtual-server.f5.com/health',
  rewriteTargetUrl: 'virtual-server.f5.com/rewrite-target-url',
  rewriteAppRoot: 'virtual-server.f5.com/rewrite-app-root',
  allowSourceRange: 'virtual-server.f5.com/allow-source-range',
  whitelistSourceRange: 'virtual-server.f5.com/whitelist-source-range',
  clientSsl: 'virtual-server.f5.com/clientssl',
  serverSsl: 'virtual-server.f5.com/serverssl',
  waf: 'virtual-server.f5.com/waf',
  sslRedirect: 'ingress.kubernetes.io/ssl-redirect',
  allowHttp: 'ingress.kubernetes.io/allow-http',
} as const;

const KNOWN: ReadonlySet<string> = new Set(Object.values(ANNOTATIONS));
const CIS_PREFIX = 'virtual-server.f5.com/';

/** The field name diagnostics use for an annotation. */
export function annotationField(name: string): string {
  return `metadata.annotations["${name}"]`;
}

/** A host (absent = any host) and a normalized path, as annotation entries name routes. */
export interface HostPath {
  host?: string;
  path: string;
}

/** One monitor of the `health` annotation and the route (host/path) it is for. */
export interface HealthEntry {
  /** The entry's `path` as written, for messages. */
  text: string;
  index: number;
  /** An absent host with path `/` also matches the default backend (CIS writes such entries with host `*`). */
  target: HostPath;
  monitor: MonitorModel;
}

/** One `rewrite-target-url` entry: which route it rewrites and to what. */
export interface UrlRewriteEntry {
  text: string;
  /** `every-route`: a single value without `=` rewrites every route of the Ingress. */
  target: HostPath | 'every-route';
  rewrite?: string;
  hostRewrite?: string;
}

/** One `rewrite-app-root` entry: requests for exactly `/` on the host are redirected to `location`. */
export interface AppRootEntry {
  text: string;
  /** `every-host`: a single value without `=` applies to every host of the Ingress. */
  target: { host: string } | 'every-host';
  location: string;
}

export interface IngressListener {
  address: string;
  partition: string;
  httpPort: number;
  httpsPort: number;
}

export interface IngressAnnotations {
  /** Absent when the address, partition or a port was rejected. */
  listener?: IngressListener;
  loadBalancingMode?: string;
  health: HealthEntry[];
  urlRewrites: UrlRewriteEntry[];
  appRoots: AppRootEntry[];
  allowSourceRange?: string[];
  /** BIG-IP client-ssl profiles (the first is the default for clients without SNI). */
  clientSsl?: BigipRef[];
  serverSsl?: BigipRef;
  waf?: BigipRef;
  sslRedirect: boolean;
  allowHttp: boolean;
}

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A comma-separated annotation list, trimmed, without empty items. */
function listItems(value: unknown): string[] {
  return String(value).split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `/a//b/` → `/a/b`; `` → `/`. Undefined when the text is not a plain path. */
function normalizedPath(text: string): string | undefined {
  if (text === '') return '/';
  if (!text.startsWith('/') || /[\s?#]/.test(text)) return undefined;
  return `/${text.split('/').filter((s) => s !== '').join('/')}`;
}

/**
 * `host/path`, `host` or `/path` → the route it names. A `*` host and an empty host both mean the
 * host-less routes. Undefined when the host or path is malformed.
 */
export function parseHostPath(text: string): HostPath | undefined {
  const slash = text.indexOf('/');
  const hostText = (slash < 0 ? text : text.slice(0, slash)).toLowerCase();
  const path = normalizedPath(slash < 0 ? '' : text.slice(slash));
  if (path === undefined) return undefined;
  if (hostText === '' || hostText === '*') return { path };
  if (!HOST.test(hostText) || hostText.length > 253) return undefined;
  return { host: hostText, path };
}

/** `host/path` text of a route, the way the annotations write it. */
export function describeHostPath(hp: HostPath): string {
  return `${hp.host ?? ''}${hp.path}`;
}

function readAddress(r: FieldReader, value: unknown): string | undefined {
  const field = annotationField(ANNOTATIONS.ip);
  if (absent(value)) {
    return r.error(field, 'is required: set it to the virtual address that serves this Ingress, such as 10.1.10.50');
  }
  if (value === 'controller-default') {
    return r.error(field, 'controller-default asks for the default Ingress address, but kube-as3 has no default Ingress address configured; set the address itself');
  }
  if (typeof value !== 'string' || !parseAddress(value)) return r.error(field, `${describe(value)} is not an IPv4 or IPv6 address`);
  return value;
}

function readPort(r: FieldReader, name: string, value: unknown, fallback: number): number | undefined {
  if (absent(value)) return fallback;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65535) return r.error(annotationField(name), `${describe(value)} is not a port number (1-65535)`);
  return port;
}

const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** A boolean annotation, spelled as CIS (Go's ParseBool) accepts it. */
function readBoolean(r: FieldReader, name: string, value: unknown, fallback: boolean): boolean {
  if (absent(value)) return fallback;
  if (typeof value === 'boolean') return value;
  if (TRUE_WORDS.includes(String(value))) return true;
  if (FALSE_WORDS.includes(String(value))) return false;
  r.error(annotationField(name), `${describe(value)} must be "true" or "false"`);
  return fallback;
}

function readListener(r: FieldReader, ann: Record<string, unknown>, defaultPartition: string): IngressListener | undefined {
  const address = readAddress(r, ann[ANNOTATIONS.ip]);
  const partition = r.partition(annotationField(ANNOTATIONS.partition), ann[ANNOTATIONS.partition], defaultPartition);
  const httpPort = readPort(r, ANNOTATIONS.httpPort, ann[ANNOTATIONS.httpPort], 80);
  const httpsPort = readPort(r, ANNOTATIONS.httpsPort, ann[ANNOTATIONS.httpsPort], 443);
  if (address === undefined || partition === undefined || httpPort === undefined || httpsPort === undefined) return undefined;
  return { address, partition, httpPort, httpsPort };
}

// ---- JSON values ---------------------------------------------------------------------------

/**
 * Finds where a JSON text stops being valid (JSON.parse says so only for some errors), so that a
 * message can point at the character. Each step returns false with `at` on the offending offset.
 */
class JsonScanner {
  at = 0;

  constructor(private readonly text: string) {}

  /** Offset of the first syntax error, or undefined when the text is valid JSON. */
  errorOffset(): number | undefined {
    const ok = this.value() && (this.space(), this.at === this.text.length);
    return ok ? undefined : this.at;
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  private eat(char: string): boolean {
    this.space();
    if (this.text[this.at] !== char) return false;
    this.at++;
    return true;
  }

  private value(): boolean {
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.members('}', () => this.str() && this.eat(':') && this.value());
    if (c === '[') return this.members(']', () => this.value());
    if (c === '"') return this.str();
    const m = /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(this.text.slice(this.at));
    if (!m) return false;
    this.at += m[0].length;
    return true;
  }

  /** `{…}` or `[…]`: comma-separated items up to `close`; the opening character is current. */
  private members(close: string, item: () => boolean): boolean {
    this.at++;
    if (this.eat(close)) return true;
    for (;;) {
      if (!item()) return false;
      if (this.eat(close)) return true;
      if (!this.eat(',')) return false;
    }
  }

  private str(): boolean {
    this.space();
    // eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(this.text.slice(this.at));
    if (!m) return false;
    this.at += m[0].length;
    return true;
  }
}

/** `JSON.parse`, or an error on the field that says where the text went wrong. */
function parseJson(r: FieldReader, field: string, text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    const at = new JsonScanner(text).errorOffset() ?? 0;
    const before = text.slice(0, at).split('\n');
    const where = `line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1} (position ${at})`;
    const found = at < text.length ? `unexpected ${JSON.stringify(text[at])}` : 'unexpected end of text';
    return r.error(field, `is not valid JSON: ${found} at ${where}`);
  }
}

// ---- health -------------------------------------------------------------------------------

const MONITOR_TYPES = ['http', 'https', 'tcp'] as const;
type HealthSpec = Record<string, unknown>;

function seconds(r: FieldReader, field: string, where: string, value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 86400) return value;
  r.error(field, `${where} ${describe(value)} must be a whole number of seconds between 1 and 86400`);
  return false;
}

function optionalText(r: FieldReader, field: string, where: string, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string') return value;
  r.error(field, `${where} ${describe(value)} must be a string`);
  return false;
}

function monitorType(r: FieldReader, field: string, where: string, value: unknown): (typeof MONITOR_TYPES)[number] | undefined {
  if (absent(value)) return 'http';
  if ((MONITOR_TYPES as readonly unknown[]).includes(value)) return value as (typeof MONITOR_TYPES)[number];
  return r.error(field, `${where} ${describe(value)} must be one of ${MONITOR_TYPES.join(', ')}`);
}

function healthTarget(r: FieldReader, field: string, i: number, value: unknown): HostPath | undefined {
  const target = typeof value === 'string' && value.includes('/') ? parseHostPath(value) : undefined;
  if (target) return target;
  return r.error(field, `[${i}].path ${describe(value)} must be the host and path of an Ingress rule, such as shop.example.com/cart (*/ for host-less rules and the default backend)`);
}

function sslProfileOf(r: FieldReader, field: string, i: number, spec: HealthSpec, type: string): BigipRef | undefined | false {
  const ref = bigipPath(r, field, spec['sslProfile']);
  if (ref && type !== 'https') {
    r.warn(field, `[${i}].sslProfile is ignored: it applies to https monitors only`);
    return undefined;
  }
  return ref;
}

function healthEntry(r: FieldReader, field: string, spec: unknown, i: number): HealthEntry | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return r.error(field, `[${i}] must be an object such as {"path": "shop.example.com/", "send": "GET / HTTP/1.0\\r\\n\\r\\n", "interval": 5, "timeout": 16}`);
  }
  const s = spec as HealthSpec;
  const target = healthTarget(r, field, i, s['path']);
  const type = monitorType(r, field, `[${i}].type`, s['type']);
  const interval = seconds(r, field, `[${i}].interval`, s['interval']);
  const timeout = seconds(r, field, `[${i}].timeout`, s['timeout']);
  const send = optionalText(r, field, `[${i}].send`, s['send']);
  const receive = optionalText(r, field, `[${i}].recv`, s['recv']);
  const sslProfile = type ? sslProfileOf(r, field, i, s, type) : undefined;
  if (!target || !type || interval === false || timeout === false || send === false || receive === false || sslProfile === false) return undefined;
  if (interval !== undefined && timeout !== undefined && timeout <= interval) {
    // A warning, not an error as for VirtualServer monitors: CIS's own Ingress examples use
    // timeout == interval, and the BIG-IP accepts it.
    r.warn(field, `[${i}].timeout ${timeout} should be greater than interval ${interval}, or members may be marked down between probes`);
  }
  const monitor: MonitorModel = {
    type,
    ...(send === undefined ? {} : { send }),
    ...(receive === undefined ? {} : { receive }),
    ...(interval === undefined ? {} : { interval }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(sslProfile ? { sslProfile: sslProfile.bigip } : {}),
  };
  return { text: String(s['path']), index: i, target, monitor };
}

/** `health`: a JSON array of monitors, each for the rule whose host and path equal its `path`. */
function readHealth(r: FieldReader, value: unknown): HealthEntry[] {
  if (absent(value)) return [];
  const field = annotationField(ANNOTATIONS.health);
  const json = parseJson(r, field, String(value));
  if (!json) return [];
  const parsed = json.value;
  if (!Array.isArray(parsed)) {
    r.error(field, 'must be a JSON array of monitors, such as [{"path": "shop.example.com/", "send": "GET / HTTP/1.0\\r\\n\\r\\n"}]');
    return [];
  }
  return parsed.flatMap((spec: unknown, i) => healthEntry(r, field, spec, i) ?? []);
}

// ---- rewrites -------------------------------------------------------------------------------

/** `from=to` pairs of a list annotation; a single value without `=` is returned as `{ to }`. */
function pairs(r: FieldReader, field: string, value: unknown, example: string): Array<{ text: string; from?: string; to: string }> | undefined {
  const items = listItems(value);
  if (items.length === 0) return r.error(field, `must not be empty; write ${example}`);
  if (items.length === 1 && !items[0]!.includes('=')) return [{ text: items[0]!, to: items[0]! }];
  const out: Array<{ text: string; from: string; to: string }> = [];
  for (const item of items) {
    const parts = item.split('=');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
      r.error(field, `"${item}" must be written ${example}`);
      continue;
    }
    out.push({ text: item, from: parts[0]!.trim(), to: parts[1]!.trim() });
  }
  return out.length === items.length ? out : undefined;
}

/** A rewrite target: `host`, `host/path` or `/path`. */
function rewriteTarget(r: FieldReader, field: string, text: string): { rewrite?: string; hostRewrite?: string } | undefined {
  const slash = text.indexOf('/');
  const hostText = slash < 0 ? text : text.slice(0, slash);
  const pathText = slash < 0 ? '' : text.slice(slash);
  const hostRewrite = hostName(r, field, hostText);
  const rewrite = targetPath(r, field, pathText);
  if (hostRewrite === false || rewrite === false) return undefined;
  return { ...(hostRewrite === undefined ? {} : { hostRewrite }), ...(rewrite === undefined ? {} : { rewrite }) };
}

/**
 * `rewrite-target-url`: `host/path=target,...`, where the key is the host and path of an Ingress
 * rule and the target `host`, `host/path` or `/path` replaces the Host header, the matched path
 * prefix, or both. A single value without `=` applies to every route of the Ingress (the
 * documented CIS intent; CIS itself drops a single value on a multi-rule Ingress).
 */
function readUrlRewrites(r: FieldReader, value: unknown): UrlRewriteEntry[] {
  if (absent(value)) return [];
  const field = annotationField(ANNOTATIONS.rewriteTargetUrl);
  const entries = pairs(r, field, value, 'host/path=target, such as old.example.com/contact=new.example.com/about') ?? [];
  const out: UrlRewriteEntry[] = [];
  for (const { text, from, to } of entries) {
    const target = from === undefined ? 'every-route' : parseHostPath(from);
    if (!target) {
      r.error(field, `"${from}" in "${text}" must be the host and path of an Ingress rule, such as old.example.com/contact`);
      continue;
    }
    const rewritten = rewriteTarget(r, field, to);
    if (rewritten) out.push({ text, target, ...rewritten });
  }
  return out;
}

function appRootHost(r: FieldReader, field: string, text: string, from: string): string | undefined {
  const target = parseHostPath(from);
  if (!target || target.host === undefined || target.host.startsWith('*.')) {
    return r.error(field, `"${from}" in "${text}" must be the host of an Ingress rule, such as docs.example.com`);
  }
  if (target.path !== '/') {
    return r.error(field, `"${from}" in "${text}": the app root applies to / of a host; write ${target.host}=/path`);
  }
  return target.host;
}

/**
 * `rewrite-app-root`: `host=/path,...` (or `host/=/path`): a request for exactly `/` on the host
 * is redirected (302) to the path. A single value without `=` applies to every host of the Ingress.
 */
function readAppRoots(r: FieldReader, value: unknown): AppRootEntry[] {
  if (absent(value)) return [];
  const field = annotationField(ANNOTATIONS.rewriteAppRoot);
  const entries = pairs(r, field, value, 'host=/path, such as docs.example.com=/en') ?? [];
  const out: AppRootEntry[] = [];
  for (const { text, from, to } of entries) {
    const host = from === undefined ? undefined : appRootHost(r, field, text, from);
    if (from !== undefined && host === undefined) continue;
    if (!to.startsWith('/')) {
      r.error(field, `"${to}" in "${text}" must be a path such as /home (the app root redirects within the same host)`);
      continue;
    }
    const location = targetPath(r, field, to);
    if (location) out.push({ text, target: host === undefined ? 'every-host' : { host }, location });
  }
  return out;
}

// ---- source ranges, TLS, WAF ----------------------------------------------------------------

function cidr(text: string): string | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  const address = m ? parseAddress(m[1] ?? '') : undefined;
  if (!m || !address || address.routeDomain !== undefined) return undefined;
  const bits = address.family === 6 ? 128 : 32;
  if (m[2] === undefined) return `${m[1]}/${bits}`;
  return Number(m[2]) <= bits ? text : undefined;
}

function readSourceRanges(r: FieldReader, ann: Record<string, unknown>): string[] | undefined {
  const current = ann[ANNOTATIONS.allowSourceRange];
  const older = ann[ANNOTATIONS.whitelistSourceRange];
  if (!absent(current) && !absent(older)) {
    r.warn(annotationField(ANNOTATIONS.whitelistSourceRange), `ignored: ${ANNOTATIONS.allowSourceRange} is also set and takes its place`);
  }
  const name = absent(current) ? ANNOTATIONS.whitelistSourceRange : ANNOTATIONS.allowSourceRange;
  const value = absent(current) ? older : current;
  if (absent(value)) return undefined;
  const field = annotationField(name);
  const items = listItems(value);
  if (items.length === 0) return r.error(field, 'must list client CIDRs separated by commas, such as 10.0.0.0/8,192.168.1.0/24');
  const ranges: string[] = [];
  for (const item of items) {
    const range = cidr(item);
    if (range) ranges.push(range);
    else r.error(field, `"${item}" is not a CIDR such as 10.0.0.0/8`);
  }
  return ranges.length === items.length ? [...new Set(ranges)].sort() : undefined;
}

function clientSslEntry(r: FieldReader, field: string, spec: unknown, i: number): BigipRef | undefined {
  const s = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec as Record<string, unknown> : undefined;
  if (!s || absent(s['bigIpProfile'])) {
    return r.error(field, `[${i}] must be an object with bigIpProfile, such as {"hosts": ["shop.example.com"], "bigIpProfile": "/Common/clientssl"}`);
  }
  const hosts = s['hosts'];
  if (hosts !== undefined && !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string'))) {
    return r.error(field, `[${i}].hosts must be a list of host names`);
  }
  return bigipPath(r, field, s['bigIpProfile']) || undefined;
}

/**
 * `clientssl`: a BIG-IP client-ssl profile path, or a JSON array `[{hosts, bigIpProfile}]`. The
 * `hosts` lists are accepted as CIS accepts them; the BIG-IP picks a profile by the server name
 * configured in the profile itself.
 */
function readClientSsl(r: FieldReader, value: unknown): BigipRef[] | undefined {
  if (absent(value)) return undefined;
  const field = annotationField(ANNOTATIONS.clientSsl);
  const text = String(value).trim();
  if (!text.startsWith('[')) return [bigipPath(r, field, text)].flatMap((ref) => (ref ? [ref] : []));
  const json = parseJson(r, field, text);
  if (!json) return undefined;
  const parsed = json.value;
  if (!Array.isArray(parsed) || parsed.length === 0) return r.error(field, 'must list at least one {"bigIpProfile": "/Common/name"}');
  const refs = parsed.flatMap((spec: unknown, i) => clientSslEntry(r, field, spec, i) ?? []);
  return refs.length === parsed.length ? refs : undefined;
}

function readBigipRef(r: FieldReader, name: string, value: unknown): BigipRef | undefined {
  return bigipPath(r, annotationField(name), value) || undefined;
}

function warnUnsupported(r: FieldReader, ann: Record<string, unknown>): void {
  for (const name of Object.keys(ann).sort()) {
    if (name.startsWith(CIS_PREFIX) && !KNOWN.has(name)) {
      r.warn(annotationField(name), 'is not supported by this version of kube-as3 for Ingress and was ignored');
    }
  }
}

/** Reads every CIS annotation of an Ingress, reporting each bad value on its annotation field. */
export function readIngressAnnotations(r: FieldReader, annotations: Record<string, unknown> | undefined, defaultPartition: string): IngressAnnotations {
  const ann = annotations ?? {};
  warnUnsupported(r, ann);
  const listener = readListener(r, ann, defaultPartition);
  const mode = loadBalancingMode(r, annotationField(ANNOTATIONS.balance), ann[ANNOTATIONS.balance]);
  const allowSourceRange = readSourceRanges(r, ann);
  const clientSsl = readClientSsl(r, ann[ANNOTATIONS.clientSsl]);
  const serverSsl = readBigipRef(r, ANNOTATIONS.serverSsl, ann[ANNOTATIONS.serverSsl]);
  const waf = readBigipRef(r, ANNOTATIONS.waf, ann[ANNOTATIONS.waf]);
  return {
    ...(listener ? { listener } : {}),
    ...(mode ? { loadBalancingMode: mode } : {}),
    health: readHealth(r, ann[ANNOTATIONS.health]),
    urlRewrites: readUrlRewrites(r, ann[ANNOTATIONS.rewriteTargetUrl]),
    appRoots: readAppRoots(r, ann[ANNOTATIONS.rewriteAppRoot]),
    ...(allowSourceRange ? { allowSourceRange } : {}),
    ...(clientSsl && clientSsl.length > 0 ? { clientSsl } : {}),
    ...(serverSsl ? { serverSsl } : {}),
    ...(waf ? { waf } : {}),
    sslRedirect: readBoolean(r, ANNOTATIONS.sslRedirect, ann[ANNOTATIONS.sslRedirect], true),
    allowHttp: readBoolean(r, ANNOTATIONS.allowHttp, ann[ANNOTATIONS.allowHttp], false),
  };
}
