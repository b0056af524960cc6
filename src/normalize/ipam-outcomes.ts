import type { IpamOutcome } from '../ipam/allocator.js';

/** Whether an address lies in a label's ranges (false for unknown labels). */
export type InLabel = (label: string, address: string) => boolean;

/** What IPAM gave each key in this plan; undefined when IPAM is not configured (no ranges). */
export type IpamOutcomes = ReadonlyMap<string, IpamOutcome> | undefined;
