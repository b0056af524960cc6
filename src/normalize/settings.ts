import type { BigipRef, ProfilePair, ServiceSettings } from '../model/settings.js';
import { absent, isBigipPath } from './fields.js';
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
const BUILTIN_PERSISTENCE = [
  'cookie', 'destination-address', 'hash', 'msrdp', 'sip-info', 'source-address', 'tls-session-id', 'universal',
];

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
export function profilePair(r: FieldReader, field: string, value: unknown, needsClient: boolean): BigipRef | ProfilePair | undefined | false {
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

/**
 * Collects settings: `set(name, value)` keeps defined values and remembers rejections, so a
 * normalizer reads every field (reporting all problems at once) and then asks `ok`.
 */
export class SettingsBuilder {
  readonly settings: ServiceSettings = {};
  ok = true;

  set<K extends keyof ServiceSettings>(name: K, value: ServiceSettings[K] | undefined | false): void {
    if (value === false) this.ok = false;
    else if (value !== undefined) this.settings[name] = value;
  }
}
