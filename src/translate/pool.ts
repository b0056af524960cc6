import type { PoolSettings } from '../model/settings.js';
import type { PoolMember } from '../resolve/member.js';
import type { As3Object } from '../model/as3-types.js';

export type { PoolMember } from '../resolve/member.js';

interface MemberEntry {
  port: number;
  ratio?: number;
  adminState?: 'disable' | 'offline';
  priorityGroup?: number;
  cluster?: string;
  addresses: string[];
}

function sameEntry(a: PoolMember, b: PoolMember): boolean {
  return (
    a.port === b.port &&
    a.ratio === b.ratio &&
    a.cluster === b.cluster &&
    a.adminState === b.adminState &&
    a.priorityGroup === b.priorityGroup
  );
}

function entryKey(m: PoolMember): string {
  return `${m.port}/${m.ratio ?? ''}/${m.adminState ?? ''}/${m.priorityGroup ?? ''}/${m.cluster ?? ''}`;
}

function compareText(a: string | undefined, b: string | undefined): number {
  return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
}

/** By port, then the highest priority group and ratio first, then cluster and admin state. */
function compareEntries(a: MemberEntry, b: MemberEntry): number {
  return (
    a.port - b.port ||
    (b.priorityGroup ?? 0) - (a.priorityGroup ?? 0) ||
    (b.ratio ?? 0) - (a.ratio ?? 0) ||
    compareText(a.cluster, b.cluster) ||
    compareText(a.adminState, b.adminState)
  );
}

/** The remark that names a member entry's cluster (`remarkCluster` reads it back). */
export function clusterRemark(cluster: string): string {
  return `cluster ${cluster}`;
}

/** The cluster a member entry's remark names, if kube-as3 wrote it. */
export function remarkCluster(remark: unknown): string | undefined {
  return typeof remark === 'string' && remark.startsWith('cluster ') ? remark.slice('cluster '.length) : undefined;
}

/**
 * AS3 pool members: one entry per (port, ratio, admin state, priority group, cluster) with its
 * addresses in input order (callers pass sorted members). `shareNodes` puts the BIG-IP node
 * objects in /Common, so the same node address may serve pools of several tenants (without it, a
 * node IP used by two partitions fails the second tenant).
 */
export function translateMembers(members: PoolMember[]): As3Object['members'] {
  const entries = new Map<string, MemberEntry>();
  let previous: PoolMember | undefined;
  let current: MemberEntry | undefined;
  for (const m of members) {
    // Members of one entry usually come one after another: only a change of fields needs the key.
    if (current && previous && sameEntry(previous, m)) {
      current.addresses.push(m.address);
      previous = m;
      continue;
    }
    previous = m;
    const key = entryKey(m);
    const entry = entries.get(key);
    current = entry;
    if (entry) entry.addresses.push(m.address);
    else {
      entries.set(key, {
        port: m.port,
        addresses: [m.address],
        ...(m.ratio === undefined ? {} : { ratio: m.ratio }),
        ...(m.adminState === undefined ? {} : { adminState: m.adminState }),
        ...(m.priorityGroup === undefined ? {} : { priorityGroup: m.priorityGroup }),
        ...(m.cluster === undefined ? {} : { cluster: m.cluster }),
      });
      current = entries.get(key);
    }
  }
  return [...entries.values()].sort(compareEntries).map((e) => ({
    servicePort: e.port,
    serverAddresses: e.addresses,
    ...(e.ratio === undefined ? {} : { ratio: e.ratio }),
    ...(e.priorityGroup === undefined ? {} : { priorityGroup: e.priorityGroup }),
    ...(e.adminState === undefined ? {} : { adminState: e.adminState }),
    ...(e.cluster === undefined ? {} : { remark: clusterRemark(e.cluster) }),
    shareNodes: true,
  }));
}

export interface PoolOptions {
  monitors: Array<{ use: string } | { bigip: string }>;
  remark: string;
  settings?: PoolSettings;
  /** Active-standby: the pool uses the highest priority group that has this many members up. */
  minimumMembersActive?: number;
}

/** An AS3 Pool: round-robin unless the resource chose another method; monitors when any. */
export function translatePool(members: PoolMember[], options: PoolOptions): As3Object {
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
  if (options.minimumMembersActive !== undefined) pool['minimumMembersActive'] = options.minimumMembersActive;
  return pool;
}
