import type { BigipRef } from '../model/settings.js';
import type { PersistAction } from '../model/virtual.js';
import type { As3Object } from '../model/as3-types.js';
import { WEIGHTED_ROUTE_VARIABLE } from './weighted-irule.js';

/** What a matching request gets: forwarded to a pool (with optional rewrites), or redirected. */
export type RuleAction =
  | {
      pool: string;
      rewrite?: { from: string; to: string; caseSensitive?: boolean };
      hostRewrite?: string;
      waf?: BigipRef | 'disable';
      persist?: PersistAction;
      /** The route's number in the weighted iRule, which then replaces `pool` (weighted-irule.ts). */
      weighted?: number;
    }
  | { redirect: { location: string; code: number } };

/** One routing rule before ordering: match on host (and path), then act. */
export interface PolicyRule {
  host?: string;
  path: string;
  /** Match the whole path only (Ingress `Exact`, `rewriteAppRoot`'s `/`). */
  exact?: boolean;
  /** Match the path case-sensitively (Ingress paths); otherwise in any case, AS3's default. */
  caseSensitive?: boolean;
  /** Client CIDRs allowed; requests from elsewhere that match host and path are dropped. */
  sourceRanges?: string[];
  action: RuleAction;
}

/** HTTP virtuals route on the Host header and the path; TLS passthrough routes on the SNI name. */
export type RoutingMode = 'http' | 'sni';

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Exact hosts first, then wildcards (longest suffix first), then host-less routes. */
function hostRank(host: string | undefined): [number, number] {
  if (host === undefined) return [2, 0];
  if (host.startsWith('*.')) return [1, -host.length];
  return [0, 0];
}

interface Matchable {
  host?: string;
  path: string;
  exact?: boolean;
}

/**
 * First-match order from most to least specific: host specificity, then more path segments, an
 * exact path before a prefix of the same path, then host and path text so the order is total.
 */
export function compareRoutes(a: Matchable, b: Matchable): number {
  const [ha, la] = hostRank(a.host);
  const [hb, lb] = hostRank(b.host);
  if (ha !== hb) return ha - hb;
  if (la !== lb) return la - lb;
  const sa = segments(a.path).length;
  const sb = segments(b.path).length;
  if (sa !== sb) return sb - sa;
  if (Boolean(a.exact) !== Boolean(b.exact)) return a.exact ? -1 : 1;
  const ka = `${a.host ?? ''} ${a.path}`;
  const kb = `${b.host ?? ''} ${b.path}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Host condition on the Host header. The header may carry the port (`a.example.com:8080`), so
 * both forms are listed; a `*.example.com` wildcard matches by suffix.
 */
function hostCondition(host: string, port: number): As3Object {
  const wildcard = host.startsWith('*.');
  const base = wildcard ? host.slice(1) : host;
  return {
    type: 'httpHeader',
    name: 'host',
    event: 'request',
    all: { operand: wildcard ? 'ends-with' : 'equals', values: [base, `${base}:${port}`] },
  } as unknown as As3Object;
}

/** SNI condition in the TLS ClientHello, for passthrough virtuals that never decrypt. */
function sniCondition(host: string): As3Object {
  const wildcard = host.startsWith('*.');
  return {
    type: 'sslExtension',
    event: 'ssl-client-hello',
    serverName: { operand: wildcard ? 'ends-with' : 'equals', values: [wildcard ? host.slice(1) : host] },
  } as unknown as As3Object;
}

/** Segment-wise prefix match (one condition per segment), or the whole path for exact matches. */
function pathConditions(path: string, exact: boolean | undefined, caseSensitive: boolean | undefined): As3Object[] {
  const compare = (value: string): Record<string, unknown> => ({
    operand: 'equals',
    values: [value],
    ...(caseSensitive ? { caseSensitive: true } : {}),
  });
  if (exact) return [{ type: 'httpUri', event: 'request', path: compare(path) } as unknown as As3Object];
  return segments(path).map(
    (segment, i) =>
      ({
        type: 'httpUri',
        event: 'request',
        index: i + 1,
        pathSegment: compare(segment),
      }) as unknown as As3Object,
  );
}

function sourceCondition(ranges: string[], mode: RoutingMode): As3Object {
  return { type: 'tcp', event: mode === 'sni' ? 'ssl-client-hello' : 'request', address: { values: ranges } } as unknown as As3Object;
}

/**
 * The path rewrite: the matched prefix is replaced, the rest of the URI (path and query) is kept.
 * AS3 evaluates the `tcl:` value per request; this is the declarative form of CIS's rewrite (no
 * iRule). A target ending in `/` also absorbs the `/` after the prefix, so `/api` → `/` turns
 * `/api/v1` into `/v1` (not `//v1`) and `/api` into `/`. The match ignores case like the rule that
 * led here (`-nocase`; a `/API/v1` request matched the `/api` rule), unless the rule is case-sensitive.
 */
export function rewriteValue(from: string, to: string, caseSensitive = false): string {
  const prefix = from.replace(/[.^$*+?()[\]{}|\\-]/g, (c) => `\\${c}`);
  to = to.replace(/&/g, '\\&');
  const regsub = caseSensitive || from === '/' ? 'regsub' : 'regsub -nocase';
  if (from === '/') return `tcl:[regsub {^/} [HTTP::uri] {${to === '/' ? '/' : `${to.replace(/\/$/, '')}/`}}]`;
  if (to.endsWith('/')) return `tcl:[${regsub} {^${prefix}/?} [HTTP::uri] {${to}}]`;
  return `tcl:[${regsub} {^${prefix}} [HTTP::uri] {${to}}]`;
}

function forwardActions(action: Extract<RuleAction, { pool: string }>, mode: RoutingMode): As3Object[] {
  const event = mode === 'sni' ? 'ssl-client-hello' : 'request';
  const out: As3Object[] = [{ type: 'forward', event, select: { pool: { use: action.pool } } } as unknown as As3Object];
  if (action.rewrite)
    out.push({
      type: 'httpUri',
      event: 'request',
      replace: { value: rewriteValue(action.rewrite.from, action.rewrite.to, action.rewrite.caseSensitive) },
    } as unknown as As3Object);
  if (action.hostRewrite)
    out.push({ type: 'httpHeader', event: 'request', replace: { name: 'host', value: action.hostRewrite } } as unknown as As3Object);
  if (action.waf === 'disable') out.push({ type: 'waf', event: 'request' } as unknown as As3Object);
  else if (action.waf) out.push({ type: 'waf', event: 'request', policy: { bigip: action.waf.bigip } } as unknown as As3Object);
  if (action.persist) out.push({ type: 'persist', event: 'request', ...action.persist } as unknown as As3Object);
  if (action.weighted !== undefined) {
    out.push({
      type: 'tcl',
      event: 'request',
      setVariable: { name: WEIGHTED_ROUTE_VARIABLE, expression: String(action.weighted) },
    } as unknown as As3Object);
  }
  return out;
}

function actionsOf(action: RuleAction, mode: RoutingMode): As3Object[] {
  if ('redirect' in action) {
    return [
      { type: 'httpRedirect', event: 'request', location: action.redirect.location, code: action.redirect.code } as unknown as As3Object,
    ];
  }
  return forwardActions(action, mode);
}

function ruleName(rule: PolicyRule, index: number, suffix = ''): string {
  const text = `${rule.host ?? 'any'}${rule.path === '/' ? '' : rule.path}${rule.exact ? '_exact' : ''}`;
  return `r${index}_${text.replace(/\*/g, 'wildcard').replace(/[^a-zA-Z0-9_.\-:%]/g, '_')}`.slice(0, 190) + suffix;
}

function matchConditions(rule: PolicyRule, port: number, mode: RoutingMode): As3Object[] {
  if (mode === 'sni') return rule.host ? [sniCondition(rule.host)] : [];
  const paths = pathConditions(rule.path, rule.exact, rule.caseSensitive);
  if (rule.host) paths.unshift(hostCondition(rule.host, port));
  return paths;
}

/**
 * Endpoint_Policy (first match) for the rules of one virtual, most specific first. A rule limited
 * to source ranges is followed by a rule that drops the same requests from other clients, so they
 * never fall through to a less specific rule or the default pool. No match means the virtual's
 * default pool, or a reset when it has none.
 */
export function translateEndpointPolicy(rules: PolicyRule[], port: number, mode: RoutingMode = 'http'): As3Object {
  const ordered = [...rules].sort(compareRoutes);
  const out: As3Object[] = [];
  ordered.forEach((rule, i) => {
    const conditions = matchConditions(rule, port, mode);
    if (!rule.sourceRanges) {
      out.push({ name: ruleName(rule, i + 1), conditions, actions: actionsOf(rule.action, mode) } as unknown as As3Object);
      return;
    }
    out.push({
      name: ruleName(rule, i + 1),
      conditions: [...conditions, sourceCondition(rule.sourceRanges, mode)],
      actions: actionsOf(rule.action, mode),
    } as unknown as As3Object);
    const event = mode === 'sni' ? 'ssl-client-hello' : 'request';
    out.push({ name: ruleName(rule, i + 1, '_denied'), conditions, actions: [{ type: 'drop', event }] } as unknown as As3Object);
  });
  return { class: 'Endpoint_Policy', strategy: 'first-match', rules: out };
}
