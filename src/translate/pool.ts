import type { PoolSettings } from '../model/settings.js';
import type { Member } from '../resolve/member.js';
import type { As3Object } from './as3-types.js';

/** A member with its load-balancing ratio (weighted pools only). */
export interface RatioMember extends Member {
  ratio?: number;
}

/**
 * AS3 pool members: one entry per (port, ratio) with its addresses in input order (callers pass
 * sorted members). `shareNodes` puts the BIG-IP node objects in /Common, so the same node address
 * may serve pools of several tenants (without it, a node IP used by two partitions fails the
 * second tenant).
 */
export function translateMembers(members: RatioMember[]): As3Object['members'] {
  const entries = new Map<string, { port: number; ratio?: number; addresses: string[] }>();
  for (const m of members) {
    const key = `${m.port}/${m.ratio ?? ''}`;
    const entry = entries.get(key);
    if (entry) entry.addresses.push(m.address);
    else entries.set(key, { port: m.port, ...(m.ratio === undefined ? {} : { ratio: m.ratio }), addresses: [m.address] });
  }
  const ordered = [...entries.values()].sort((a, b) => a.port - b.port || (b.ratio ?? 0) - (a.ratio ?? 0));
  return ordered.map((e) => ({
    servicePort: e.port,
    serverAddresses: e.addresses,
    ...(e.ratio === undefined ? {} : { ratio: e.ratio }),
    shareNodes: true,
  }));
}

export interface PoolOptions {
  monitors: Array<{ use: string } | { bigip: string }>;
  remark: string;
  settings?: PoolSettings;
}

/** An AS3 Pool: round-robin unless the resource chose another method; monitors when any. */
export function translatePool(members: RatioMember[], options: PoolOptions): As3Object {
  const settings = options.settings ?? {};
  const pool: As3Object = {
    class: 'Pool',
    loadBalancingMode: settings.loadBalancingMode ?? 'round-robin',
    members: translateMembers(members),
    remark: options.remark,
  };
  if (options.monitors.length > 0) {
    pool['monitors'] = options.monitors;
    if (settings.minimumMonitors !== undefined) pool['minimumMonitors'] = settings.minimumMonitors;
  }
  if (settings.reselectTries !== undefined) pool['reselectTries'] = settings.reselectTries;
  if (settings.serviceDownAction !== undefined) pool['serviceDownAction'] = settings.serviceDownAction;
  if (settings.slowRampTime !== undefined) pool['slowRampTime'] = settings.slowRampTime;
  return pool;
}
