import { addressSortKey } from '../lib/ip.js';

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
