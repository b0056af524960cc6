/** Checks the IPAM tests share: what a key got, and addresses held by two keys. */
import type { IpamResult, IpamState } from '../../src/ipam/allocator.js';

export function addressOf(result: IpamResult, key: string): string | undefined {
  const outcome = result.outcomes.get(key);
  return outcome && 'address' in outcome ? outcome.address : undefined;
}

/**
 * Addresses held (allocated or releasing) by more than one key. A key may hold a second address
 * while releasing (stored as `key#address`), which is not a duplicate.
 */
export function duplicateAddresses(state: IpamState): string[] {
  const owners = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [name, { address }] of [...Object.entries(state.allocations), ...Object.entries(state.releasing)]) {
    const owner = name.split('#')[0] as string;
    const other = owners.get(address);
    if (other !== undefined && other !== owner) duplicates.push(`${address}: ${other} and ${owner}`);
    owners.set(address, owner);
  }
  return duplicates;
}
