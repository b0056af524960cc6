import type { TlsSideOptions } from '../model/tls.js';
import { VIRTUAL_HOST, absent, objectOrEmpty } from './fields.js';

/** Where a TLSProfile's problems go (tls-profile.ts's report, which names the profile). */
export interface TlsProblems {
  error(at: string, message: string): undefined;
  warn(at: string, message: string): void;
}

/**
 * What a side of TLS is made of: TLS objects kube-as3 makes from Secrets (`secrets`), existing
 * BIG-IP profiles (`profiles`), or nothing (edge termination has no side towards the pods).
 */
export type SideSource = 'secrets' | 'profiles' | 'none';

const KEYS: Record<'client' | 'server', ReadonlyArray<keyof TlsSideOptions>> = {
  // The client side's renegotiationEnabled is read apart (it is also compared on shared virtuals).
  client: ['dtlsEnabled', 'singleUseDhEnabled'],
  server: ['renegotiationEnabled', 'dtlsEnabled', 'singleUseDhEnabled', 'serverName'],
};

/** AS3's defaults: a value equal to them is left out, so output does not depend on the API server filling CRD defaults in. */
const DEFAULTS: TlsSideOptions = { renegotiationEnabled: true, dtlsEnabled: true, singleUseDhEnabled: false };

function readValue(rep: TlsProblems, at: string, key: keyof TlsSideOptions, value: unknown): boolean | string | undefined {
  if (key === 'serverName') {
    if (typeof value === 'string' && VIRTUAL_HOST.test(value.toLowerCase()) && !value.startsWith('*')) return value.toLowerCase();
    return rep.error(at, `${JSON.stringify(value)} must be the host name the pods' certificate is issued for, such as api.example.com`);
  }
  if (typeof value === 'boolean') return value;
  return rep.error(at, 'must be true or false');
}

/**
 * `clientSSLParams` / `serverSSLParams` of a TLSProfile (CIS: settings of the TLS profiles made
 * from Secrets): `dtlsEnabled`, `singleUseDhEnabled`, and on the server side `renegotiationEnabled`
 * and `serverName` (the SNI name sent to the pods, which their certificate must match). Only values
 * that differ from AS3's defaults are kept. With BIG-IP profiles, or without that side, they cannot
 * apply: a warning says so. Undefined when nothing is kept; false after an error.
 */
export function tlsSideOptions(
  rep: TlsProblems,
  tls: Record<string, unknown>,
  side: 'client' | 'server',
  source: SideSource,
): TlsSideOptions | undefined | false {
  const params = objectOrEmpty(tls[`${side}SSLParams`]);
  const out: Record<string, boolean | string> = {};
  let ok = true;
  for (const key of KEYS[side]) {
    if (absent(params[key])) continue;
    const at = `spec.tls.${side}SSLParams.${key}`;
    const value = readValue(rep, at, key, params[key]);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (value === DEFAULTS[key]) continue;
    if (source === 'profiles') {
      rep.warn(
        at,
        `is not applied: the BIG-IP ${side === 'client' ? 'client' : 'server'}-ssl profiles keep their own setting; set it on the profile, or use reference: secret`,
      );
    } else if (source === 'none') {
      rep.warn(at, 'ignored: this termination has no TLS towards the pods; remove it');
    } else out[key] = value;
  }
  if (!ok) return false;
  return Object.keys(out).length === 0 ? undefined : (out as TlsSideOptions);
}
