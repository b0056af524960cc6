/**
 * IPAM address ranges (`ipam.ranges` in the config file). Addresses are handled as bigints so that
 * IPv4 and IPv6 ranges share one code path and a /64 is as cheap to describe as a /30: the
 * allocator only ever walks the part of a range that is already taken.
 */
import { formatIPv6Bytes, parseAddress } from '../lib/ip.js';

export interface AddressRange {
  family: 4 | 6;
  /** First allocatable address (inclusive). */
  first: bigint;
  /** Last allocatable address (inclusive). */
  last: bigint;
  /** The range as written in the config, for messages. */
  text: string;
}

const BITS: Record<4 | 6, number> = { 4: 32, 6: 128 };

/** family + numeric value of an address text (no route domain), or undefined. */
export function addressValue(text: string): { family: 4 | 6; value: bigint } | undefined {
  const parsed = parseAddress(text.trim());
  if (!parsed || parsed.routeDomain !== undefined) return undefined;
  let value = 0n;
  for (const byte of parsed.bytes) value = (value << 8n) | BigInt(byte);
  return { family: parsed.family, value };
}

function formatIPv6(value: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return formatIPv6Bytes(bytes);
}

/** Canonical text: IPv4 dotted; IPv6 lower-case RFC 5952 compressed (longest zero run → ::, first if tie, only runs ≥2). */
export function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 6) return formatIPv6(value);
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function familyName(family: 4 | 6): string {
  return family === 4 ? 'IPv4' : 'IPv6';
}

/** `address/prefix`: a whole subnet; network (and IPv4 broadcast) addresses are not handed out. */
function parseCidr(text: string, address: string, prefixText: string): AddressRange | string {
  const base = addressValue(address);
  if (!base) return `"${text}": "${address}" is not an IP address`;
  const bits = BITS[base.family];
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return `"${text}": the prefix length must be 0-${bits} for ${familyName(base.family)}`;
  }
  const hostBits = BigInt(bits - Number(prefixText));
  const hostMask = (1n << hostBits) - 1n;
  if ((base.value & hostMask) !== 0n) {
    const network = formatAddress(base.family, base.value & ~hostMask);
    return `"${text}": host bits are set (the subnet is ${network}/${prefixText})`;
  }
  let first = base.value;
  let last = base.value | hostMask;
  // IPv4 subnets of ≥4 addresses lose network and broadcast; IPv6 subnets of ≥4 lose the
  // subnet-router anycast address (RFC 4291 §2.6.1). /31, /32, /127 and /128 are used whole.
  if (hostBits >= 2n) {
    first += 1n;
    if (base.family === 4) last -= 1n;
  }
  return { family: base.family, first, last, text };
}

function parseDashRange(text: string, from: string, to: string): AddressRange | string {
  const first = addressValue(from);
  if (!first) return `"${text}": "${from.trim()}" is not an IP address`;
  const last = addressValue(to);
  if (!last) return `"${text}": "${to.trim()}" is not an IP address`;
  if (first.family !== last.family) {
    return `"${text}": the ends are of different families (${familyName(first.family)} and ${familyName(last.family)})`;
  }
  if (first.value > last.value) return `"${text}": the first address is after the last`;
  return { family: first.family, first: first.value, last: last.value, text };
}

/**
 * `a.b.c.d-a.b.c.e`, `a.b.c.d/nn`, a single address, IPv6 likewise (`2001:db8::10-2001:db8::ff`,
 * `2001:db8::/120`). Returns an error string for bad input (names the text). CIDR: IPv4 prefixes ≤30
 * exclude network and broadcast; IPv6 prefixes ≤126 exclude the first (subnet-router anycast)
 * address. A range whose ends differ in family, or first > last, is an error. No route-domain suffix
 * allowed: the route domain belongs to the virtual, not to the pool of addresses.
 */
export function parseRange(text: string): AddressRange | string {
  const trimmed = text.trim();
  if (trimmed.includes('%')) return `"${trimmed}": route domains (%N) are not allowed in IPAM ranges`;
  const parts = trimmed.split('-');
  if (parts.length === 2) return parseDashRange(trimmed, parts[0] ?? '', parts[1] ?? '');
  const slash = trimmed.split('/');
  if (parts.length === 1 && slash.length === 2) return parseCidr(trimmed, slash[0] ?? '', slash[1] ?? '');
  const single = parts.length === 1 && slash.length === 1 ? addressValue(trimmed) : undefined;
  if (single) return { family: single.family, first: single.value, last: single.value, text: trimmed };
  return `"${trimmed}" is not an address, a range (first-last) or a subnet (address/prefix)`;
}

/** The ranges of one label; a label allocates from one family (the first range's), so others are errors. */
function parseLabel(label: string, texts: unknown, errors: string[]): AddressRange[] {
  const where = `ipam.ranges.${label}`;
  if (!Array.isArray(texts) || texts.length === 0) {
    errors.push(`${where}: a label needs a list of one or more ranges`);
    return [];
  }
  const ranges: AddressRange[] = [];
  texts.forEach((text: unknown, i) => {
    const range = typeof text === 'string' ? parseRange(text) : `${JSON.stringify(text)} is not a string`;
    if (typeof range === 'string') {
      errors.push(`${where}[${i}]: ${range}`);
      return;
    }
    const family = ranges[0]?.family;
    if (family !== undefined && range.family !== family) {
      errors.push(
        `${where}[${i}]: "${range.text}" is ${familyName(range.family)} but the label's first range is ${familyName(family)}; one label allocates from one family (use a second label)`,
      );
      return;
    }
    ranges.push(range);
  });
  return ranges;
}

/**
 * Parses every label's ranges; errors as `ipam.ranges.<label>[i]: message`. Invalid ranges are left
 * out (a label whose ranges are all invalid maps to an empty list), so one typo fails the resources
 * of that label only, and the caller decides whether config errors are fatal.
 */
export function parseRanges(config: Record<string, string[]>): { ranges: Map<string, AddressRange[]>; errors: string[] } {
  const ranges = new Map<string, AddressRange[]>();
  const errors: string[] = [];
  for (const [label, texts] of Object.entries(config)) ranges.set(label, parseLabel(label, texts, errors));
  return { ranges, errors };
}

/** A label's ranges reduced to sorted, non-overlapping intervals of one family. */
export interface LabelSpace {
  family: 4 | 6;
  intervals: Array<{ first: bigint; last: bigint }>;
  /** Where the search for the lowest free address resumes: only grows during one call. */
  cursor: bigint;
  texts: string[];
}

/**
 * Sorted, merged intervals of the label's ranges of the first range's family, so overlapping ranges
 * are neither counted nor walked twice.
 */
export function labelSpace(ranges: AddressRange[]): LabelSpace | undefined {
  const family = ranges[0]?.family;
  if (family === undefined) return undefined;
  const sorted = ranges.filter((r) => r.family === family).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const intervals: LabelSpace['intervals'] = [];
  for (const range of sorted) {
    const last = intervals[intervals.length - 1];
    if (last && range.first <= last.last + 1n) {
      if (range.last > last.last) last.last = range.last;
    } else {
      intervals.push({ first: range.first, last: range.last });
    }
  }
  return { family, intervals, cursor: intervals[0]?.first ?? 0n, texts: ranges.map((r) => r.text) };
}

export function contains(space: LabelSpace, value: bigint): boolean {
  return space.intervals.some((iv) => iv.first <= value && value <= iv.last);
}

export function capacityOf(space: LabelSpace | undefined): bigint {
  return (space?.intervals ?? []).reduce((sum, iv) => sum + (iv.last - iv.first + 1n), 0n);
}
