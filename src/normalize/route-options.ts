import { parseAddress } from '../lib/ip.js';
import type { PoolSettings } from '../model/settings.js';
import type { PersistAction } from '../model/virtual.js';
import { absent } from './fields.js';
import type { FieldReader } from './fields.js';

/**
 * Readers for what a VirtualServer pool entry (and the resources that share its vocabulary) says
 * about one route besides its Service: pool settings, rewrites, persistence, source ranges.
 * Each returns the clean value, undefined when absent, or false after reporting a bad value.
 */

const LB_MODES = [
  'dynamic-ratio-member',
  'dynamic-ratio-node',
  'fastest-app-response',
  'fastest-node',
  'least-connections-member',
  'least-connections-node',
  'least-sessions',
  'observed-member',
  'observed-node',
  'predictive-member',
  'predictive-node',
  'ratio-least-connections-member',
  'ratio-least-connections-node',
  'ratio-member',
  'ratio-node',
  'ratio-session',
  'round-robin',
  'weighted-least-connections-member',
  'weighted-least-connections-node',
];
const DOWN_ACTIONS = ['none', 'reset', 'drop', 'reselect'] as const;

/** A whole number from `min` to `max` (weights, retries, timeouts); undefined when absent. */
export function wholeNumber(r: FieldReader, field: string, value: unknown, min: number, max: number): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  r.error(field, `${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
  return false;
}

/** AS3 pool load-balancing mode (`loadBalancingMethod`, the `balance` annotation). */
export function loadBalancingMode(r: FieldReader, field: string, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && LB_MODES.includes(value)) return value;
  r.error(
    field,
    `${JSON.stringify(value)} is not a BIG-IP load-balancing method (for example round-robin, least-connections-member, ratio-member)`,
  );
  return false;
}

/** The pool fields a resource may set (pool entries, a Policy's `poolSettings`), by their resource names. */
export interface PoolSettingsSpec {
  loadBalancingMethod?: unknown;
  reselectTries?: unknown;
  serviceDownAction?: unknown;
  minimumMonitors?: unknown;
  /** Seconds a member that comes up takes to reach its full share (Policy `poolSettings` only). */
  slowRampTime?: unknown;
}

/**
 * `loadBalancingMethod`, `reselectTries`, `serviceDownAction`, `minimumMonitors` and `slowRampTime`
 * of a pool entry or a Policy's `poolSettings`, as AS3 pool properties.
 */
export function poolSettings(r: FieldReader, field: string, spec: PoolSettingsSpec): PoolSettings | undefined | false {
  const mode = loadBalancingMode(r, `${field}.loadBalancingMethod`, spec.loadBalancingMethod);
  const reselect = wholeNumber(r, `${field}.reselectTries`, spec.reselectTries, 0, 65535);
  const minimum = wholeNumber(r, `${field}.minimumMonitors`, spec.minimumMonitors, 1, 63);
  const slowRamp = wholeNumber(r, `${field}.slowRampTime`, spec.slowRampTime, 0, 900);
  let down: PoolSettings['serviceDownAction'] | false | undefined;
  if (!absent(spec.serviceDownAction)) {
    down = (DOWN_ACTIONS as readonly unknown[]).includes(spec.serviceDownAction)
      ? (spec.serviceDownAction as PoolSettings['serviceDownAction'])
      : (r.error(`${field}.serviceDownAction`, `${JSON.stringify(spec.serviceDownAction)} must be one of ${DOWN_ACTIONS.join(', ')}`) ??
        false);
  }
  if (mode === false || reselect === false || minimum === false || slowRamp === false || down === false) return false;
  const settings: PoolSettings = {
    ...(mode === undefined ? {} : { loadBalancingMode: mode }),
    ...(reselect === undefined ? {} : { reselectTries: reselect }),
    ...(down === undefined ? {} : { serviceDownAction: down }),
    ...(minimum === undefined ? {} : { minimumMonitors: minimum }),
    ...(slowRamp === undefined ? {} : { slowRampTime: slowRamp }),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** A plain request path for rewrites and redirects (`/`, `/app/v2`). */
export function targetPath(r: FieldReader, field: string, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && /^\/[^\s?#"'\\{}[\]$;]*$/.test(value)) return value;
  r.error(field, `${JSON.stringify(value)} must be a path starting with / (no spaces, query, quotes, or Tcl characters)`);
  return false;
}

const HOST_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$/;

/** A host name for `hostRewrite` (an optional `:port` is kept). */
export function hostName(r: FieldReader, field: string, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && HOST_NAME.test(value.toLowerCase())) return value.toLowerCase();
  r.error(field, `${JSON.stringify(value)} is not a host name`);
  return false;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address (as `/32`, `/128`); undefined when not a CIDR. */
export function parseCidr(text: unknown): string | undefined {
  const m = typeof text === 'string' ? /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text) : null;
  const address = m ? parseAddress(m[1] ?? '') : undefined;
  if (!m || !address || address.routeDomain !== undefined) return undefined;
  const bits = address.family === 6 ? 128 : 32;
  if (m[2] !== undefined && Number(m[2]) > bits) return undefined;
  return m[2] === undefined ? `${m[1]}/${bits}` : (text as string);
}

/** Client CIDRs (`10.0.0.0/8`, `2001:db8::/32`, or a single address) allowed to use a route. */
export function sourceRanges(r: FieldReader, field: string, value: unknown): string[] | undefined | false {
  if (absent(value)) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    r.error(field, 'must be a non-empty list of CIDRs such as 10.0.0.0/8');
    return false;
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    const cidr = parseCidr(item);
    if (cidr) out.push(cidr);
    else r.error(`${field}[${i}]`, `${JSON.stringify(item)} is not a CIDR such as 10.0.0.0/8`);
  });
  return out.length === value.length ? [...new Set(out)].sort() : false;
}

type MetaKey = 'name' | 'netmask' | 'key' | 'timeout' | 'expiry' | 'offset' | 'length';

/** `hostPersistence.method` (also the name of the AS3 persist action) → the metadata it needs. */
const PERSIST_METHODS: Record<string, MetaKey[]> = {
  sourceAddress: ['netmask', 'timeout'],
  destinationAddress: ['netmask', 'timeout'],
  cookieInsert: ['name', 'expiry'],
  cookieRewrite: ['name', 'expiry'],
  cookiePassive: ['name'],
  cookieHash: ['name', 'offset', 'length', 'timeout'],
  universal: ['key', 'timeout'],
  hash: ['key', 'timeout'],
  carp: ['key', 'timeout'],
};

const NUMERIC_META: ReadonlySet<MetaKey> = new Set(['timeout', 'offset', 'length']);

function metaValue(r: FieldReader, field: string, key: MetaKey, value: unknown): string | number | undefined {
  if (NUMERIC_META.has(key)) {
    const n = wholeNumber(r, field, value, 0, 65535);
    return n === false ? undefined : n;
  }
  if (typeof value === 'string' && value !== '' && !/["\\\s]/.test(value)) {
    if (key === 'netmask' && !parseAddress(value)) return r.error(field, `"${value}" is not a netmask such as 255.255.255.255`);
    return value;
  }
  return r.error(field, `${JSON.stringify(value)} must be a non-empty string without spaces or quotes`);
}

/** `hostPersistence {method, metaData}`: persistence applied by the routing rules of the host. */
export function hostPersistence(r: FieldReader, field: string, value: unknown): PersistAction | undefined | false {
  if (absent(value)) return undefined;
  const spec = typeof value === 'object' && value !== null ? (value as { method?: unknown; metaData?: Record<string, unknown> }) : {};
  if (spec.method === 'none') return { disable: {} };
  const needs = typeof spec.method === 'string' && Object.hasOwn(PERSIST_METHODS, spec.method) ? PERSIST_METHODS[spec.method] : undefined;
  if (!needs) {
    r.error(`${field}.method`, `${JSON.stringify(spec.method)} must be one of none, ${Object.keys(PERSIST_METHODS).join(', ')}`);
    return false;
  }
  const meta = spec.metaData ?? {};
  const out: Record<string, string | number> = {};
  for (const key of needs) {
    const where = `${field}.metaData.${key}`;
    if (meta[key] === undefined || meta[key] === null || meta[key] === '') {
      r.error(where, `is required for method ${String(spec.method)}`);
      continue;
    }
    const v = metaValue(r, where, key, meta[key]);
    if (v !== undefined) out[key] = v;
  }
  if (Object.keys(out).length !== needs.length) return false;
  return { [spec.method as string]: out };
}
