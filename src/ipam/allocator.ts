/**
 * The IPAM allocator (docs/ipam.md): which virtual address each IPAM key gets. Pure and deterministic, so
 * the same requests on the same stored state give the same addresses after a restart and on every
 * replica; persistence and races are the business of `store.ts`.
 *
 * An address stops being in use only once the BIG-IP no longer has a virtual on it, that is after
 * the declaration without it was applied. So an address nobody asks for any more is not freed at
 * once: it moves to `releasing`, stays taken, and `commitReleases` frees it after a successful apply.
 * Otherwise a new resource could be given an address the device still serves for a deleted one.
 */
import { addressValue, capacityOf, contains, formatAddress, labelSpace } from './ranges.js';
import type { AddressRange, LabelSpace } from './ranges.js';

export interface IpamRequest {
  key: string;
  label: string;
  /** a specific address asked for (virtualServerAddress inside a range) */
  address?: string;
}

export interface Allocation {
  label: string;
  address: string;
}

export interface IpamState {
  /** key → its address */
  allocations: Record<string, Allocation>;
  /**
   * Addresses no request uses any more, not yet released (they stay taken until commitReleases):
   * key → allocation. When one key has several addresses releasing (its label changed twice before
   * an apply succeeded), the later ones are recorded as `<key>#<address>`.
   */
  releasing: Record<string, Allocation>;
}

/**
 * What a key gets: an address, or why not. `warning`: the key keeps an address IPAM would not give
 * it today (its label changed, or the address left the label's ranges); the resource keeps serving on
 * it and the warning says how to move it.
 */
export type IpamOutcome = { address: string; warning?: string } | { error: string };

export interface AllocateOptions {
  /**
   * `ipam.reallocate`: a key whose address is outside its label's current ranges, or whose label
   * changed, is moved to a new address. Off by default: IPAM never moves a live address by itself.
   */
  reallocate?: boolean;
}

export interface IpamResult {
  state: IpamState;
  /** One outcome per requested key. */
  outcomes: Map<string, IpamOutcome>;
  /** state differs from the input state */
  changed: boolean;
}

export function emptyIpamState(): IpamState {
  return { allocations: {}, releasing: {} };
}

/** Who holds a taken address; `releasing` entries are held by the key that gave them up. */
interface Holder {
  key: string;
  releasing: boolean;
}

/** What one key asks for, once its requests are merged and checked. */
interface KeyDemand {
  key: string;
  label: string;
  space: LabelSpace;
  /** numeric value of the specific address asked for */
  wanted?: bigint;
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key a `releasing` record belongs to: its own name, or the name without `#<address>`. */
function releasingOwner(name: string, allocation: Allocation): string {
  const suffix = `#${allocation.address}`;
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : name;
}

function sortedRecord(map: Map<string, Allocation>): Record<string, Allocation> {
  const out: Record<string, Allocation> = {};
  for (const key of [...map.keys()].sort(byKey)) {
    const allocation = map.get(key) as Allocation;
    out[key] = { label: allocation.label, address: allocation.address };
  }
  return out;
}

function sameRecords(a: Record<string, Allocation>, b: Record<string, Allocation>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => {
    const other = b[key];
    return other !== undefined && other.label === a[key]?.label && other.address === a[key]?.address;
  });
}

function labelList(ranges: Map<string, AddressRange[]>): string {
  const labels = [...ranges.keys()].sort(byKey);
  return labels.length === 0 ? 'ipam.ranges is empty' : `ipam.ranges has: ${labels.join(', ')}`;
}

/**
 * The working copy of one `allocate` call: allocations, releasing records and one map of taken
 * addresses per family, built once (O(allocations)) so that no request scans the allocations.
 */
class Allocator {
  readonly allocations = new Map<string, Allocation>();
  readonly releasing = new Map<string, Allocation>();
  private readonly taken: Record<4 | 6, Map<bigint, Holder>> = { 4: new Map(), 6: new Map() };
  /** key → names of its releasing records */
  private readonly releasingOf = new Map<string, string[]>();
  /** Parsed address texts: a state of 10,000 allocations is parsed once per call, not once per use. */
  private readonly parsed = new Map<string, { family: 4 | 6; value: bigint } | undefined>();

  constructor(previous: IpamState) {
    // Sorted, allocations first: if a corrupted state gives one address to two keys, the first key
    // in sorted order holds it and the other is moved, the same way on every replica.
    for (const key of Object.keys(previous.allocations).sort(byKey)) {
      const allocation = previous.allocations[key] as Allocation;
      this.allocations.set(key, allocation);
      const parsed = this.valueOf(allocation.address);
      if (parsed && !this.taken[parsed.family].has(parsed.value)) this.taken[parsed.family].set(parsed.value, { key, releasing: false });
    }
    for (const name of Object.keys(previous.releasing).sort(byKey)) {
      const allocation = previous.releasing[name] as Allocation;
      this.addReleasing(name, releasingOwner(name, allocation), allocation);
    }
  }

  private valueOf(address: string): { family: 4 | 6; value: bigint } | undefined {
    if (!this.parsed.has(address)) this.parsed.set(address, addressValue(address));
    return this.parsed.get(address);
  }

  private addReleasing(name: string, key: string, allocation: Allocation): void {
    this.releasing.set(name, allocation);
    this.releasingOf.set(key, [...(this.releasingOf.get(key) ?? []), name]);
    const parsed = this.valueOf(allocation.address);
    if (!parsed) return;
    const holder = this.taken[parsed.family].get(parsed.value);
    if (!holder) this.taken[parsed.family].set(parsed.value, { key, releasing: true });
    else if (holder.key === key) holder.releasing = true;
  }

  /** `key`'s current allocation stops being used: it stays taken until commitReleases. */
  release(key: string): void {
    const allocation = this.allocations.get(key);
    if (!allocation) return;
    this.allocations.delete(key);
    const parsed = this.valueOf(allocation.address);
    const holder = parsed ? this.taken[parsed.family].get(parsed.value) : undefined;
    // An address that a corrupted state gave to two keys belongs to the other key: nothing to release.
    if (parsed && holder?.key !== key) return;
    const name = this.releasing.has(key) ? `${key}#${allocation.address}` : key;
    this.addReleasing(name, key, allocation);
  }

  /** `key`'s current allocation and its numeric address, if the key holds that address. */
  held(key: string): { allocation: Allocation; family: 4 | 6; value: bigint } | undefined {
    const allocation = this.allocations.get(key);
    const parsed = allocation ? this.valueOf(allocation.address) : undefined;
    if (!allocation || !parsed || this.holder(parsed.family, parsed.value)?.key !== key) return undefined;
    return { allocation, ...parsed };
  }

  holder(family: 4 | 6, value: bigint): Holder | undefined {
    return this.taken[family].get(value);
  }

  /** Gives `value` to `key` (releasing its previous address, if another), taking it back from `key`'s releasing records if there. */
  assign(demand: KeyDemand, value: bigint): string {
    const { key, label, space } = demand;
    const current = this.allocations.get(key);
    const currentValue = current ? this.valueOf(current.address) : undefined;
    // A key keeping its address (the common case on every reconcile) changes nothing.
    if (current && current.label === label && currentValue?.family === space.family && currentValue.value === value) return current.address;
    const address = formatAddress(space.family, value);
    if (current && current.address !== address) this.release(key);
    this.reclaim(key, address);
    this.allocations.set(key, { label, address });
    this.taken[space.family].set(value, { key, releasing: false });
    return address;
  }

  /** Removes `key`'s releasing record for `address`, if it has one (the key uses the address again). */
  private reclaim(key: string, address: string): void {
    const names = this.releasingOf.get(key) ?? [];
    const name = names.find((n) => this.releasing.get(n)?.address === address);
    if (name === undefined) return;
    this.releasing.delete(name);
    this.releasingOf.set(
      key,
      names.filter((n) => n !== name),
    );
  }

  /**
   * `key`'s address if it may keep it: inside the ranges of the label asked for (the label it was
   * allocated under may differ: labels may overlap, and then nothing moves), not someone else's.
   */
  keepable(demand: KeyDemand): bigint | undefined {
    const current = this.allocations.get(demand.key);
    const candidates = current ? [current] : [];
    // A key asked for again before its release was committed gets its address back.
    for (const name of this.releasingOf.get(demand.key) ?? []) candidates.push(this.releasing.get(name) as Allocation);
    for (const candidate of candidates) {
      const parsed = this.valueOf(candidate.address);
      if (!parsed || parsed.family !== demand.space.family || !contains(demand.space, parsed.value)) continue;
      if (demand.wanted !== undefined && demand.wanted !== parsed.value) continue;
      if (this.holder(parsed.family, parsed.value)?.key === demand.key) return parsed.value;
    }
    return undefined;
  }

  /** The lowest address of the label that nobody holds (under any label), or undefined. */
  lowestFree(space: LabelSpace): bigint | undefined {
    const taken = this.taken[space.family];
    for (const iv of space.intervals) {
      if (iv.last < space.cursor) continue;
      let value = iv.first > space.cursor ? iv.first : space.cursor;
      while (value <= iv.last && taken.has(value)) value++;
      space.cursor = value;
      if (value <= iv.last) return value;
    }
    return undefined;
  }

  state(): IpamState {
    return { allocations: sortedRecord(this.allocations), releasing: sortedRecord(this.releasing) };
  }
}

/** Merges the requests of one key: one label, at most one specific address. */
function demandOf(
  key: string,
  requests: IpamRequest[],
  spaces: Map<string, LabelSpace | undefined>,
  ranges: Map<string, AddressRange[]>,
): KeyDemand | string {
  const labels = [...new Set(requests.map((r) => r.label))].sort(byKey);
  if (labels.length > 1)
    return `IPAM key "${key}" is asked for with different labels (${labels.join(', ')}); resources sharing a key must use one ipamLabel`;
  const label = labels[0] as string;
  if (!ranges.has(label)) return `IPAM label "${label}" is not configured (${labelList(ranges)})`;
  const space = spaces.get(label);
  if (!space || space.intervals.length === 0) return `IPAM label "${label}" has no valid range in ipam.ranges`;
  const asked = [...new Set(requests.map((r) => r.address?.trim()).filter((a): a is string => a !== undefined && a !== ''))];
  const values = asked.map((text) => ({ text, parsed: addressValue(text) }));
  const bad = values.find((v) => v.parsed === undefined);
  if (bad) return `"${bad.text}" is not an IP address (route domains are not allowed here)`;
  const distinct = [...new Set(values.map((v) => formatAddress(v.parsed!.family, v.parsed!.value)))].sort(byKey);
  if (distinct.length > 1) return `IPAM key "${key}" is asked for with different addresses (${distinct.join(', ')})`;
  const wanted = values[0]?.parsed;
  if (!wanted) return { key, label, space };
  if (wanted.family !== space.family || !contains(space, wanted.value)) {
    return `address ${distinct[0]} is not in the ranges of IPAM label "${label}" (${space.texts.join(', ')})`;
  }
  return { key, label, space, wanted: wanted.value };
}

/**
 * IPAM never moves a live address by itself: a key that holds an address its label's current ranges
 * do not contain (the ranges shrank, the label was removed, or the resource now asks for another
 * label) keeps it, with a warning saying why and how to move it. Undefined when the key has nothing
 * to keep, may keep its address normally, or asks for a specific address (an explicit move).
 */
function stayPut(
  work: Allocator,
  key: string,
  requests: IpamRequest[],
  spaces: Map<string, LabelSpace | undefined>,
): IpamOutcome | undefined {
  const labels = new Set(requests.map((r) => r.label));
  const held = work.held(key);
  if (!held || labels.size !== 1 || requests.some((r) => (r.address ?? '').trim() !== '')) return undefined;
  const label = requests[0]?.label as string;
  const space = spaces.get(label);
  if (space && held.family === space.family && contains(space, held.value)) return undefined;
  const address = held.allocation.address;
  const why =
    held.allocation.label !== label
      ? `it was allocated under IPAM label "${held.allocation.label}" and the resource now asks for label "${label}"`
      : !spaces.has(label)
        ? `IPAM label "${label}" is no longer in ipam.ranges`
        : !space || space.intervals.length === 0
          ? `IPAM label "${label}" has no valid range in ipam.ranges`
          : `it is outside the ranges of IPAM label "${label}" (${space.texts.join(', ')})`;
  const warning = `keeps address ${address} although ${why}: IPAM never moves a live address by itself. To move it, delete "${key}" from the IPAM allocations (the --ipam-state file, or the IPAMAllocation object of kube-as3 run), or set ipam.reallocate: true in the config`;
  return { address, warning };
}

/** A specific address: reserved if free; the key holding it keeps it. */
function reserve(work: Allocator, demand: KeyDemand & { wanted: bigint }): IpamOutcome {
  const holder = work.holder(demand.space.family, demand.wanted);
  const address = formatAddress(demand.space.family, demand.wanted);
  if (holder && holder.key !== demand.key) {
    return holder.releasing
      ? {
          error: `address ${address} is still being released by IPAM key "${holder.key}" (it is free once the change that removed it is applied)`,
        }
      : { error: `address ${address} is already allocated to IPAM key "${holder.key}"` };
  }
  return { address: work.assign(demand, demand.wanted) };
}

function allocateLowest(work: Allocator, demand: KeyDemand): IpamOutcome {
  const value = work.lowestFree(demand.space);
  if (value === undefined) {
    const capacity = capacityOf(demand.space);
    const count = `${capacity} address${capacity === 1n ? '' : 'es'}`;
    return {
      error: `no free address left in IPAM label "${demand.label}" (ranges ${demand.space.texts.join(', ')}: ${count}, all allocated)`,
    };
  }
  return { address: work.assign(demand, value) };
}

function groupByKey(requests: IpamRequest[]): Map<string, IpamRequest[]> {
  const groups = new Map<string, IpamRequest[]>();
  for (const request of [...requests].sort((a, b) => byKey(a.key, b.key) || byKey(a.label, b.label))) {
    groups.set(request.key, [...(groups.get(request.key) ?? []), request]);
  }
  return groups;
}

/**
 * Pure and deterministic: every request of a key gets the same outcome. A key already allocated
 * keeps its address while it lies in the ranges of the label asked for; unless
 * `options.reallocate`, it also keeps it, with a warning, when its label changed or the address
 * left the ranges (stayPut). A specific address is reserved if it lies in the label's
 * ranges and nobody else holds it; otherwise the key gets the lowest address of its label that no key
 * of any label holds (labels may overlap). Work happens in three passes — keys keeping their
 * address, then specific addresses, then new addresses in sorted key order — so the result does not
 * depend on the order of the requests, and a new key never takes an address another key asks for
 * by name. A key whose request fails keeps its previous allocation untouched; keys nobody asks for
 * move to `releasing`.
 */
export function allocate(
  previous: IpamState,
  requests: IpamRequest[],
  ranges: Map<string, AddressRange[]>,
  options: AllocateOptions = {},
): IpamResult {
  const work = new Allocator(previous);
  const spaces = new Map([...ranges].map(([label, list]) => [label, labelSpace(list)]));
  const groups = groupByKey(requests);
  for (const key of [...work.allocations.keys()]) if (!groups.has(key)) work.release(key);

  const outcomes = new Map<string, IpamOutcome>();
  const specific: Array<KeyDemand & { wanted: bigint }> = [];
  const dynamic: KeyDemand[] = [];
  for (const [key, keyRequests] of groups) {
    const kept = options.reallocate ? undefined : stayPut(work, key, keyRequests, spaces);
    if (kept) {
      outcomes.set(key, kept);
      continue;
    }
    const demand = demandOf(key, keyRequests, spaces, ranges);
    if (typeof demand === 'string') {
      outcomes.set(key, { error: demand });
      continue;
    }
    const keepable = work.keepable(demand);
    if (keepable !== undefined) outcomes.set(key, { address: work.assign(demand, keepable) });
    else if (demand.wanted !== undefined) specific.push({ ...demand, wanted: demand.wanted });
    else dynamic.push(demand);
  }
  for (const demand of specific) outcomes.set(demand.key, reserve(work, demand));
  for (const demand of dynamic) outcomes.set(demand.key, allocateLowest(work, demand));

  const state = work.state();
  const changed = !sameRecords(state.allocations, previous.allocations) || !sameRecords(state.releasing, previous.releasing);
  return { state, outcomes: new Map([...outcomes].sort(([a], [b]) => byKey(a, b))), changed };
}

/**
 * After the new declaration is applied: drop `releasing`, so those addresses become free. With
 * `released` (the `releasing` of the state whose declaration was applied), only those records are
 * dropped, so addresses another replica released afterwards stay taken until its own apply.
 */
export function commitReleases(state: IpamState, released?: Record<string, Allocation>): IpamState {
  const releasing: Record<string, Allocation> = {};
  if (released) {
    for (const [name, allocation] of Object.entries(state.releasing)) {
      const applied = released[name];
      if (!applied || applied.address !== allocation.address || applied.label !== allocation.label) releasing[name] = { ...allocation };
    }
  }
  const allocations: Record<string, Allocation> = {};
  for (const [key, allocation] of Object.entries(state.allocations)) allocations[key] = { ...allocation };
  return { allocations, releasing };
}

/** Allocations per label (count, capacity) for metrics and summaries; configured labels, sorted. */
export function usage(
  state: IpamState,
  ranges: Map<string, AddressRange[]>,
): Array<{ label: string; allocated: number; capacity: bigint }> {
  const counts = new Map<string, number>();
  for (const allocation of Object.values(state.allocations)) counts.set(allocation.label, (counts.get(allocation.label) ?? 0) + 1);
  return [...ranges.keys()].sort(byKey).map((label) => ({
    label,
    allocated: counts.get(label) ?? 0,
    capacity: capacityOf(labelSpace(ranges.get(label) ?? [])),
  }));
}
