import { addressSortKey } from '../lib/ip.js';

export interface Member {
  address: string;
  port: number;
}

function compareKeyed(a: { key: string; m: Member }, b: { key: string; m: Member }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.m.port - b.m.port;
}

/**
 * Sorted by (address, port), duplicates removed: equal inputs give byte-identical pools. Each
 * address is parsed once (a pool of many members is sorted on every change of its Service).
 */
export function sortMembers(members: Member[]): Member[] {
  const keyed = members.map((m) => ({ key: addressSortKey(m.address), m }));
  keyed.sort(compareKeyed);
  const out: Member[] = [];
  for (let i = 0; i < keyed.length; i++) {
    const cur = keyed[i] as { key: string; m: Member };
    const prev = keyed[i - 1];
    if (!prev || compareKeyed(prev, cur) !== 0) out.push(cur.m);
  }
  return out;
}
