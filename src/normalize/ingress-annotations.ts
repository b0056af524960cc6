import type { MonitorSpec } from '../kube/types.js';
import type { BigipRef } from '../model/settings.js';
import type { MonitorModel } from '../model/virtual.js';
import { VIRTUAL_HOST, absent, annotationField, objectOrEmpty } from './fields.js';
import type { FieldReader } from './fields.js';
import { annotationMonitors } from './health-annotation.js';
import { parseJsonAnnotation } from './json-annotation.js';
import { hostName, loadBalancingMode, parseCidr, targetPath } from './route-options.js';
import { bigipPath } from './settings.js';
import { CONTROLLER_DEFAULT } from './ipam-request.js';

/**
 * The CIS Ingress annotations (reference: cis-features §1.12) read into clean values. Every bad
 * value is an error on the field `metadata.annotations["<name>"]` that says what is wrong; how the
 * values apply to the Ingress's routes is decided in ingress.ts.
 */

export const ANNOTATIONS = {
  ip: 'virtual-server.f5.com/ip',
  /** kube-as3 extension: the IPAM label to allocate the address from when `ip` is not set. */
  ipamLabel: 'virtual-server.f5.com/ipamLabel',
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

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A comma-separated annotation list, trimmed, without empty items. */
function listItems(value: unknown): string[] {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `/a//b/` → `/a/b`; `` → `/`. Undefined when the text is not a plain path. */
function normalizedPath(text: string): string | undefined {
  if (text === '') return '/';
  if (!text.startsWith('/') || /[\s?#]/.test(text)) return undefined;
  return `/${text
    .split('/')
    .filter((s) => s !== '')
    .join('/')}`;
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
  if (!VIRTUAL_HOST.test(hostText) || hostText.length > 253) return undefined;
  return { host: hostText, path };
}

/** `host/path` text of a route, the way the annotations write it. */
export function describeHostPath(hp: HostPath): string {
  return `${hp.host ?? ''}${hp.path}`;
}

/** Where an Ingress's address comes from when it names none: the config's defaults. */
export interface IngressDefaults {
  partition: string;
  /** `defaultIngressAddress`. */
  address?: string;
}

const NO_DEFAULT_ADDRESS =
  "set it to the virtual address that serves this Ingress, such as 10.1.10.50, or configure defaultIngressAddress (one address for all such Ingresses, like CIS's --default-ingress-ip) or defaultIngressIpamLabel (an address per Ingress from IPAM) in the config file";

/**
 * The virtual address: the annotation's, else (also for `controller-default`, as in CIS) the IPAM
 * address (`allocated`; false: IPAM failed and said why), else `defaultIngressAddress`.
 */
function readAddress(
  r: FieldReader,
  value: unknown,
  allocated: string | false | undefined,
  defaultAddress: string | undefined,
): string | undefined {
  const field = annotationField(ANNOTATIONS.ip);
  const wantsDefault = absent(value) || value === CONTROLLER_DEFAULT;
  if (wantsDefault && allocated !== undefined) return allocated === false ? undefined : allocated;
  if (wantsDefault && defaultAddress !== undefined) return r.address('defaultIngressAddress (config)', defaultAddress);
  if (absent(value)) return r.error(field, `is required: ${NO_DEFAULT_ADDRESS}`);
  if (value === CONTROLLER_DEFAULT)
    return r.error(field, `controller-default asks for the default Ingress address, and none is configured: ${NO_DEFAULT_ADDRESS}`);
  return r.address(field, value);
}

/** A port annotation: annotation values are text, so `"8443"` is the port 8443. */
function readPort(r: FieldReader, name: string, value: unknown, fallback: number): number | undefined {
  const text = typeof value === 'string' ? value.trim() : value;
  const port = typeof text === 'string' && /^[0-9]{1,5}$/.test(text) ? Number(text) : text;
  return r.port(annotationField(name), absent(port) ? undefined : port, fallback);
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

function readListener(
  r: FieldReader,
  ann: Record<string, unknown>,
  defaults: IngressDefaults,
  allocated: string | false | undefined,
): IngressListener | undefined {
  const address = readAddress(r, ann[ANNOTATIONS.ip], allocated, defaults.address);
  const partition = r.partition(annotationField(ANNOTATIONS.partition), ann[ANNOTATIONS.partition], defaults.partition);
  const httpPort = readPort(r, ANNOTATIONS.httpPort, ann[ANNOTATIONS.httpPort], 80);
  const httpsPort = readPort(r, ANNOTATIONS.httpsPort, ann[ANNOTATIONS.httpsPort], 443);
  if (address === undefined || partition === undefined || httpPort === undefined || httpsPort === undefined) return undefined;
  return { address, partition, httpPort, httpsPort };
}

// ---- health -------------------------------------------------------------------------------

const HEALTH_ENTRY_EXAMPLE = '{"path": "shop.example.com/", "send": "GET / HTTP/1.0\\r\\n\\r\\n", "interval": 5, "timeout": 16}';

function healthTarget(r: FieldReader, field: string, i: number, value: unknown): HostPath | undefined {
  const target = typeof value === 'string' && value.includes('/') ? parseHostPath(value) : undefined;
  if (target) return target;
  return r.error(
    field,
    `[${i}].path: ${describe(value)} must be the host and path of an Ingress rule, such as shop.example.com/cart (*/ for host-less rules and the default backend)`,
  );
}

/** One entry of the health annotation: the rule it names and its monitor fields. */
interface HealthSpec {
  /** The entry's `path` as written, for messages. */
  text: string;
  target?: HostPath;
  monitor: MonitorSpec;
}

function healthSpec(r: FieldReader, field: string, entry: unknown, i: number): HealthSpec {
  const spec: MonitorSpec & { path?: unknown } = objectOrEmpty(entry);
  if (spec !== entry) {
    r.error(field, `[${i}]: must be an object such as ${HEALTH_ENTRY_EXAMPLE}`);
    return { text: '', monitor: {} };
  }
  const text = typeof spec.path === 'string' ? spec.path : '';
  const target = healthTarget(r, field, i, spec.path);
  return { text, ...(target ? { target } : {}), monitor: spec };
}

/**
 * `health`: a JSON array of monitors, each for the rule whose host and path equal its `path`. The
 * monitor fields are those of VirtualServer pool monitors, checked the same way (the type defaults
 * to http).
 */
function readHealth(r: FieldReader, value: unknown): HealthEntry[] {
  if (absent(value)) return [];
  const field = annotationField(ANNOTATIONS.health);
  const expected = `a JSON array of monitors, such as [${HEALTH_ENTRY_EXAMPLE}]`;
  const parsed = parseJsonAnnotation(r, field, String(value), expected);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    r.error(field, `must be ${expected}`);
    return [];
  }
  const specs = parsed.map((entry: unknown, i) => healthSpec(r, field, entry, i));
  const monitors = annotationMonitors(
    r,
    field,
    specs.map((s) => s.monitor),
    'http',
  );
  if (!monitors) return [];
  return specs.flatMap((spec, index) => {
    const monitor = monitors[index];
    if (!spec.target || !monitor) return [];
    return [{ text: spec.text, index, target: spec.target, monitor }];
  });
}

// ---- rewrites -------------------------------------------------------------------------------

/** One `from=to` item of a list annotation; `from` is absent for a single value without `=`. */
interface Pair {
  text: string;
  from?: string;
  to: string;
}

/** `from=to` pairs of a list annotation; a single value without `=` is returned as `{ to }`. Undefined after an error. */
function pairs(r: FieldReader, field: string, value: unknown, example: string): Pair[] | undefined {
  const items = listItems(value);
  if (items.length === 0) return r.error(field, `must not be empty; write ${example}`);
  if (items.length === 1 && !items[0]!.includes('=')) return [{ text: items[0]!, to: items[0]! }];
  const out: Pair[] = [];
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

/**
 * The entries of a `from=to,...` annotation, each read by `entry` (which reports its own problems
 * on the annotation field and gives undefined for a bad one). None when any item is malformed.
 */
function readPairs<T>(
  r: FieldReader,
  name: string,
  value: unknown,
  example: string,
  entry: (field: string, pair: Pair) => T | undefined,
): T[] {
  if (absent(value)) return [];
  const field = annotationField(name);
  return (pairs(r, field, value, example) ?? []).flatMap((pair) => entry(field, pair) ?? []);
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
 * One `rewrite-target-url` item, `host/path=target`: the key is the host and path of an Ingress
 * rule and the target `host`, `host/path` or `/path` replaces the Host header, the matched path
 * prefix, or both. A single value without `=` applies to every route of the Ingress (the
 * documented CIS intent; CIS itself drops a single value on a multi-rule Ingress).
 */
function urlRewriteEntry(r: FieldReader, field: string, { text, from, to }: Pair): UrlRewriteEntry | undefined {
  const target = from === undefined ? 'every-route' : parseHostPath(from);
  if (!target)
    return r.error(field, `"${from}" in "${text}" must be the host and path of an Ingress rule, such as old.example.com/contact`);
  const rewritten = rewriteTarget(r, field, to);
  return rewritten && { text, target, ...rewritten };
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
 * One `rewrite-app-root` item, `host=/path` (or `host/=/path`): a request for exactly `/` on the
 * host is redirected (302) to the path. A single value without `=` applies to every host of the Ingress.
 */
function appRootEntry(r: FieldReader, field: string, { text, from, to }: Pair): AppRootEntry | undefined {
  const host = from === undefined ? undefined : appRootHost(r, field, text, from);
  if (from !== undefined && host === undefined) return undefined;
  if (!to.startsWith('/'))
    return r.error(field, `"${to}" in "${text}" must be a path such as /home (the app root redirects within the same host)`);
  const location = targetPath(r, field, to);
  return location ? { text, target: host === undefined ? 'every-host' : { host }, location } : undefined;
}

// ---- source ranges, TLS, WAF ----------------------------------------------------------------

function readSourceRanges(r: FieldReader, ann: Record<string, unknown>): string[] | undefined {
  const current = ann[ANNOTATIONS.allowSourceRange];
  const older = ann[ANNOTATIONS.whitelistSourceRange];
  if (!absent(current) && !absent(older)) {
    r.warn(
      annotationField(ANNOTATIONS.whitelistSourceRange),
      `ignored: ${ANNOTATIONS.allowSourceRange} is also set and takes its place; remove this one`,
    );
  }
  const name = absent(current) ? ANNOTATIONS.whitelistSourceRange : ANNOTATIONS.allowSourceRange;
  const value = absent(current) ? older : current;
  if (absent(value)) return undefined;
  const field = annotationField(name);
  const items = listItems(value);
  if (items.length === 0) return r.error(field, 'must list client CIDRs separated by commas, such as 10.0.0.0/8,192.168.1.0/24');
  const ranges: string[] = [];
  for (const item of items) {
    const range = parseCidr(item);
    if (range) ranges.push(range);
    else r.error(field, `"${item}" is not a CIDR such as 10.0.0.0/8`);
  }
  return ranges.length === items.length ? [...new Set(ranges)].sort() : undefined;
}

const CLIENT_SSL_EXAMPLE = '{"hosts": ["shop.example.com"], "bigIpProfile": "/Common/clientssl"}';

function clientSslEntry(r: FieldReader, field: string, spec: unknown, i: number): BigipRef | undefined {
  const s = objectOrEmpty(spec);
  if (s !== spec || absent(s['bigIpProfile']))
    return r.error(field, `[${i}] must be an object with bigIpProfile, such as ${CLIENT_SSL_EXAMPLE}`);
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
  const parsed = parseJsonAnnotation(r, field, text, `a BIG-IP profile path or a JSON array such as [${CLIENT_SSL_EXAMPLE}]`);
  if (parsed === undefined) return undefined;
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
      r.warn(
        annotationField(name),
        'is not supported by this version of kube-as3 for Ingress and was ignored; remove it, or keep it for CIS (docs/migrating-from-cis.md lists the annotations)',
      );
    }
  }
}

/** Reads every CIS annotation of an Ingress, reporting each bad value on its annotation field. */
export function readIngressAnnotations(
  r: FieldReader,
  annotations: Record<string, unknown> | undefined,
  defaults: IngressDefaults,
  allocated?: string | false,
): IngressAnnotations {
  const ann = annotations ?? {};
  warnUnsupported(r, ann);
  const listener = readListener(r, ann, defaults, allocated);
  const mode = loadBalancingMode(r, annotationField(ANNOTATIONS.balance), ann[ANNOTATIONS.balance]);
  const allowSourceRange = readSourceRanges(r, ann);
  const clientSsl = readClientSsl(r, ann[ANNOTATIONS.clientSsl]);
  const serverSsl = readBigipRef(r, ANNOTATIONS.serverSsl, ann[ANNOTATIONS.serverSsl]);
  const waf = readBigipRef(r, ANNOTATIONS.waf, ann[ANNOTATIONS.waf]);
  return {
    ...(listener ? { listener } : {}),
    ...(mode ? { loadBalancingMode: mode } : {}),
    health: readHealth(r, ann[ANNOTATIONS.health]),
    urlRewrites: readPairs(
      r,
      ANNOTATIONS.rewriteTargetUrl,
      ann[ANNOTATIONS.rewriteTargetUrl],
      'host/path=target, such as old.example.com/contact=new.example.com/about',
      (field, pair) => urlRewriteEntry(r, field, pair),
    ),
    appRoots: readPairs(
      r,
      ANNOTATIONS.rewriteAppRoot,
      ann[ANNOTATIONS.rewriteAppRoot],
      'host=/path, such as docs.example.com=/en',
      (field, pair) => appRootEntry(r, field, pair),
    ),
    ...(allowSourceRange ? { allowSourceRange } : {}),
    ...(clientSsl && clientSsl.length > 0 ? { clientSsl } : {}),
    ...(serverSsl ? { serverSsl } : {}),
    ...(waf ? { waf } : {}),
    sslRedirect: readBoolean(r, ANNOTATIONS.sslRedirect, ann[ANNOTATIONS.sslRedirect], true),
    allowHttp: readBoolean(r, ANNOTATIONS.allowHttp, ann[ANNOTATIONS.allowHttp], false),
  };
}
