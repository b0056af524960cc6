import { addressSortKey, ipv4Value } from '../lib/ip.js';

export interface Member {
  address: string;
  port: number;
}

/**
 * A pool member as the BIG-IP gets it: its load-balancing ratio (weighted pools), and in
 * multi-cluster pools the cluster it came from, that cluster's admin state and its priority group.
 */
export interface PoolMember extends Member {
  ratio?: number;
  /** AS3 `adminState` when not `enable`: `disable` drains, `offline` cuts connections. */
  adminState?: 'disable' | 'offline';
  /** AS3 `priorityGroup` (active-standby: the primary cluster's members have the highest). */
  priorityGroup?: number;
  /** Named in the member's `remark`, so a reviewer (and kube-as3, when the cluster is unreachable) can tell. */
  cluster?: string;
}

function compareKeyed(a: { key: string; m: Member }, b: { key: string; m: Member }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.m.port - b.m.port;
}

/**
 * Sorted by (address, port), duplicates removed (the first listed is kept; the sort is stable): equal inputs give byte-identical pools. Each
 * address is parsed once (a pool of many members is sorted on every change of its Service).
 */
export function sortMembers<M extends Member>(members: M[]): M[] {
  const fast = sortIPv4Members(members);
  if (fast) return fast;
  const keyed = members.map((m) => ({ key: addressSortKey(m.address), m }));
  keyed.sort(compareKeyed);
  const out: M[] = [];
  for (let i = 0; i < keyed.length; i++) {
    const cur = keyed[i] as { key: string; m: M };
    const prev = keyed[i - 1];
    if (!prev || compareKeyed(prev, cur) !== 0) out.push(cur.m);
  }
  return out;
}

/**
 * sortMembers for the common case of plain IPv4 addresses: numeric keys in one array instead of a
 * key string and a wrapper object per member. Undefined when some address is not plain IPv4.
 */
function sortIPv4Members<M extends Member>(members: M[]): M[] | undefined {
  const values: number[] = [];
  for (const m of members) {
    const v = ipv4Value(m.address);
    if (v === undefined) return undefined;
    values.push(v);
  }
  const order = members.map((_, i) => i);
  const compare = (a: number, b: number): number =>
    (values[a] as number) - (values[b] as number) || (members[a] as M).port - (members[b] as M).port;
  order.sort((a, b) => compare(a, b) || a - b);
  const out: M[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const prev = order[k - 1];
    if (prev === undefined || compare(prev, i) !== 0) out.push(members[i] as M);
  }
  return out;
}
