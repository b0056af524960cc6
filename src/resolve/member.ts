import { compareAddresses } from '../lib/ip.js';

export interface Member {
  address: string;
  port: number;
}

export function compareMembers(a: Member, b: Member): number {
  return compareAddresses(a.address, b.address) || a.port - b.port;
}

/** Sorted by (address, port), duplicates removed: equal inputs give byte-identical pools. */
export function sortMembers(members: Member[]): Member[] {
  const sorted = [...members].sort(compareMembers);
  return sorted.filter((m, i) => i === 0 || compareMembers(m, sorted[i - 1] as Member) !== 0);
}
