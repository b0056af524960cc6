import type { As3Object } from './as3-types.js';

export interface PolicyRoute {
  host?: string;
  path: string;
  pool: string;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Exact hosts first, then wildcards (longest suffix first), then host-less routes. */
function hostRank(host: string | undefined): [number, number] {
  if (host === undefined) return [2, 0];
  if (host.startsWith('*.')) return [1, -host.length];
  return [0, 0];
}

/**
 * First-match order from most to least specific: host specificity, then more path segments, then
 * host and path text so the order is total and stable.
 */
export function compareRoutes(a: PolicyRoute, b: PolicyRoute): number {
  const [ha, la] = hostRank(a.host);
  const [hb, lb] = hostRank(b.host);
  if (ha !== hb) return ha - hb;
  if (la !== lb) return la - lb;
  const sa = segments(a.path).length;
  const sb = segments(b.path).length;
  if (sa !== sb) return sb - sa;
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

/** One condition per path segment (segment-wise prefix match, as CIS and Kubernetes Prefix paths). */
function pathConditions(path: string): As3Object[] {
  return segments(path).map((segment, i) => ({
    type: 'httpUri',
    event: 'request',
    index: i + 1,
    pathSegment: { operand: 'equals', values: [segment] },
  }) as unknown as As3Object);
}

function ruleName(route: PolicyRoute, index: number): string {
  const text = `${route.host ?? 'any'}${route.path === '/' ? '' : route.path}`;
  return `r${index}_${text.replace(/\*/g, 'wildcard').replace(/[^a-zA-Z0-9_.\-:%]/g, '_')}`.slice(0, 200);
}

/** Endpoint_Policy that forwards each host/path to its pool; no match means no pool (reset). */
export function translateEndpointPolicy(routes: PolicyRoute[], port: number): As3Object {
  const ordered = [...routes].sort(compareRoutes);
  return {
    class: 'Endpoint_Policy',
    strategy: 'first-match',
    rules: ordered.map((route, i) => ({
      name: ruleName(route, i + 1),
      conditions: [...(route.host ? [hostCondition(route.host, port)] : []), ...pathConditions(route.path)],
      actions: [{ type: 'forward', event: 'request', select: { pool: { use: route.pool } } }],
    })),
  };
}
