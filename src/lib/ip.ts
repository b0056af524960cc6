/**
 * IP address parsing and ordering without I/O modules. Members and addresses are sorted with
 * `compareAddresses` so that equal inputs always give byte-identical declarations.
 */

export interface ParsedAddress {
  family: 4 | 6;
  /** Big-endian bytes (4 or 16). */
  bytes: number[];
  /** Route domain from a `%N` suffix, if any. */
  routeDomain?: number;
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

function parseIPv6(text: string): number[] | undefined {
  let body = text;
  if (body.includes('.')) {
    // Embedded IPv4 (`::ffff:10.0.0.1`): rewrite the last part as two hex groups.
    const cut = body.lastIndexOf(':');
    const v4 = parseIPv4(body.slice(cut + 1));
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    body = `${body.slice(0, cut + 1)}${hi}:${lo}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 1 && explicit !== 8) return undefined;
  if (halves.length === 2 && explicit > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/**
 * `::ffff:a.b.c.d` (IPv4-mapped, RFC 4291 §2.5.5.2) is the IPv4 address a.b.c.d: the BIG-IP keeps
 * IPv4 addresses as IPv4-mapped IPv6 internally, so both spellings are one address on the device,
 * and Kubernetes (Go's net.IP) prints them as IPv4 too.
 */
function unmapped(bytes: number[]): { family: 4 | 6; bytes: number[] } {
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? { family: 4, bytes: bytes.slice(12) } : { family: 6, bytes };
}

/**
 * Parses `a.b.c.d`, IPv6 (with `::` and embedded IPv4), each optionally with `%routeDomain`.
 * IPv4-mapped IPv6 addresses are returned as the IPv4 address (see `unmapped`).
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  const m = /^([^%]+)(?:%(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const [, addr = '', rd] = m;
  const routeDomain = rd === undefined ? undefined : Number(rd);
  if (routeDomain !== undefined && routeDomain > 65535) return undefined;
  const v4 = parseIPv4(addr);
  const parsed: ParsedAddress | undefined = v4
    ? { family: 4, bytes: v4 }
    : addr.includes(':')
      ? (() => {
          const v6 = parseIPv6(addr);
          return v6 ? unmapped(v6) : undefined;
        })()
      : undefined;
  if (parsed && routeDomain !== undefined) parsed.routeDomain = routeDomain;
  return parsed;
}

/**
 * RFC 5952 §4 text of 16 address bytes: lower-case hex, leading zeros dropped, the longest run of
 * two or more zero groups (the first of equal runs) written `::`.
 */
export function formatIPv6Bytes(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical text of a parsed address: dotted IPv4 or RFC 5952 IPv6, then `%N` when a route domain is set. */
export function formatParsedAddress(parsed: ParsedAddress): string {
  const text = parsed.family === 4 ? parsed.bytes.join('.') : formatIPv6Bytes(parsed.bytes);
  return parsed.routeDomain === undefined ? text : `${text}%${parsed.routeDomain}`;
}

/**
 * The one spelling of an address that kube-as3 compares, names, groups and allocates with:
 * `2001:DB8:0:0::11` → `2001:db8::11`, `::ffff:10.1.1.1` → `10.1.1.1`, `10.1.1.1%02` → `10.1.1.1%2`.
 * Undefined when the text is not an address.
 */
export function canonicalAddress(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed ? formatParsedAddress(parsed) : undefined;
}

/** `10.1.1.1:80`, `[2001:db8::11]:80`: an address and port as messages and tables show them. */
export function addressPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function isIPAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

/**
 * A string that sorts like `compareAddresses`: family, bytes in hex, route domain. Unparsable
 * text sorts after every address, by its own text.
 */
export function addressSortKey(text: string): string {
  const fast = ipv4SortKey(text);
  if (fast !== undefined) return fast;
  const parsed = parseAddress(text);
  if (!parsed) return `9${text}`;
  const hex = parsed.bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  const rd = parsed.routeDomain === undefined ? '' : `%${parsed.routeDomain.toString(16).padStart(4, '0')}`;
  return `${parsed.family}${hex}${rd}`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The value (0 to 2^32 − 1) of a plain IPv4 address (`a.b.c.d`, as parseIPv4 accepts it), without
 * building the parsed form: pods' addresses are sorted on every change of their Service, and
 * there are many. Undefined for anything else (IPv6, route domains, garbage).
 */
export function ipv4Value(text: string): number | undefined {
  let total = 0;
  let value = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return undefined;
      total = total * 256 + value;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && !(digits === 1 && value === 0)) {
      value = value * 10 + (c - 48);
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? total : undefined;
}

function ipv4SortKey(text: string): string | undefined {
  const value = ipv4Value(text);
  if (value === undefined) return undefined;
  return `4${HEX[Math.floor(value / 0x1000000)]}${HEX[(value >>> 16) & 0xff]}${HEX[(value >>> 8) & 0xff]}${HEX[value & 0xff]}`;
}

/** IPv4 before IPv6, then numerically, then by route domain. Unparsable strings sort last, lexically. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (!pa || !pb) {
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (pa.family !== pb.family) return pa.family - pb.family;
  for (let i = 0; i < pa.bytes.length; i++) {
    const d = pa.bytes[i]! - pb.bytes[i]!;
    if (d !== 0) return d;
  }
  return (pa.routeDomain ?? -1) - (pb.routeDomain ?? -1);
}
