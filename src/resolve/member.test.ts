import assert from 'node:assert/strict';
import { seededRandom } from '../../test/support/seeded-random.js';
import { addressSortKey } from '../lib/ip.js';
import { sortMembers } from './member.js';
import type { PoolMember } from './member.js';

/** The definition: by address (numerically, IPv4 first), then port; the first of equal members kept. */
function reference(members: PoolMember[]): PoolMember[] {
  const sorted = members
    .map((m, i) => ({ m, i, key: addressSortKey(m.address) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.m.port - b.m.port || a.i - b.i));
  return sorted.filter((x, k) => k === 0 || x.key !== sorted[k - 1]?.key || x.m.port !== sorted[k - 1]?.m.port).map((x) => x.m);
}

describe('sortMembers', () => {
  it('orders by address and port and keeps the first of duplicates, for IPv4 lists (fast path) and mixed ones', () => {
    const random = seededRandom(7);
    const pick = (n: number): number => Math.floor(random() * n);
    for (let round = 0; round < 200; round++) {
      const mixed = round % 4 === 0;
      const members: PoolMember[] = Array.from({ length: 1 + pick(12) }, (_, i) => ({
        address: mixed && pick(3) === 0 ? `2001:db8::${pick(5)}` : `10.${pick(3)}.${pick(3)}.${pick(12)}`,
        port: 8080 + pick(2),
        cluster: `c${i}`,
      }));
      assert.deepEqual(sortMembers(members), reference(members), JSON.stringify(members));
    }
  });

  it('sorts 10.0.0.9 before 10.0.0.10 (numerically, not as text)', () => {
    assert.deepEqual(
      sortMembers([
        { address: '10.0.0.10', port: 80 },
        { address: '10.0.0.9', port: 80 },
      ]).map((m) => m.address),
      ['10.0.0.9', '10.0.0.10'],
    );
  });
});
