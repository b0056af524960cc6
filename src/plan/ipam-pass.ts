/**
 * The IPAM step of planning (docs/ipam.md): before normalizing, every resource the controller serves
 * says whether it asks for an address (ipam-request.ts); the allocator answers all asks at once,
 * in key order, so the same inputs always give the same addresses. Normalizers then read their
 * address by key. Pure: the state comes in and goes out; stores persist it.
 */
import { allocate, usage as allocationUsage } from '../ipam/allocator.js';
import type { AllocateOptions, IpamOutcome, IpamState } from '../ipam/allocator.js';
import { addressValue } from '../ipam/ranges.js';
import type { AddressRange } from '../ipam/ranges.js';
import { refOf } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';
import { ipamAskOf } from '../normalize/ipam-request.js';
import type { InLabel, IpamDefaults, IpamOutcomes } from '../normalize/ipam-request.js';

/** One IPAM key of this plan: what it got (or why not) and the resources that share it. */
export interface IpamAssignment {
  key: string;
  label: string;
  outcome: IpamOutcome;
  resources: ObjectRef[];
}

export interface IpamReport {
  /** The allocations after this plan (new keys added, unused ones moved to `releasing`). */
  state: IpamState;
  /** `state` differs from the state the plan started from: a store should save it. */
  changed: boolean;
  assignments: IpamAssignment[];
  /** Per configured label: addresses allocated and how many the ranges hold. */
  usage: Array<{ label: string; allocated: number; capacity: bigint }>;
}

export interface IpamPass {
  outcomes: IpamOutcomes;
  inLabel: InLabel;
  report: IpamReport | undefined;
}

/** Whether `address` lies in one of the label's ranges. */
export function inLabelOf(ranges: ReadonlyMap<string, AddressRange[]>): InLabel {
  return (label, address) => {
    const parsed = addressValue(address);
    if (!parsed) return false;
    return (ranges.get(label) ?? []).some((r) => r.family === parsed.family && parsed.value >= r.first && parsed.value <= r.last);
  };
}

/** IPAM is off (no `ipam.ranges`): resources that ask get an error saying so. */
export const NO_IPAM: IpamPass = { outcomes: undefined, inLabel: () => false, report: undefined };

/**
 * Allocates for every resource in `served` (kind and object, in any order) that asks for an
 * address, starting from `previous`. `options.defaults`: the config's part of the asks (ipam-request.ts). `options.reallocate` (`ipam.reallocate`): move keys whose
 * address their label would not give them today, instead of keeping them there with a warning.
 */
export function runIpam(
  previous: IpamState,
  ranges: ReadonlyMap<string, AddressRange[]>,
  served: Array<{ kind: string; obj: KubeObject }>,
  options: AllocateOptions & { defaults?: IpamDefaults } = {},
): IpamPass {
  const inLabel = inLabelOf(ranges);
  const byKey = new Map<string, { label: string; address?: string; resources: ObjectRef[] }>();
  const requests = [];
  for (const { kind, obj } of served) {
    const ask = ipamAskOf(kind, obj, inLabel, options.defaults);
    if (!ask) continue;
    requests.push({ key: ask.key, label: ask.label, ...(ask.address === undefined ? {} : { address: ask.address }) });
    const entry = byKey.get(ask.key) ?? { label: ask.label, resources: [] };
    entry.resources.push(refOf(obj));
    byKey.set(ask.key, entry);
  }
  const result = allocate(previous, requests, new Map(ranges), options);
  const assignments: IpamAssignment[] = [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, entry]) => ({
      key,
      label: entry.label,
      outcome: result.outcomes.get(key) ?? { error: 'not allocated' },
      resources: entry.resources,
    }));
  const usage = allocationUsage(result.state, new Map(ranges));
  return { outcomes: result.outcomes, inLabel, report: { state: result.state, changed: result.changed, assignments, usage } };
}
