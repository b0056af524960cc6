/** AS3's `f5ip` format, which the project schema's `ip-address` format is too (both schema validators use it). */
import { isIPAddress } from '../lib/ip.js';

/** AS3's `f5ip`: an address with optional %route-domain and /mask; '' means unset. */
export function isF5Ip(value: string): boolean {
  if (value === '') return true;
  const m = /^([^/]+?)(?:\/(\d{1,3}))?$/.exec(value);
  if (!m) return false;
  const [, addr = '', mask] = m;
  if (!isIPAddress(addr)) return false;
  if (mask === undefined) return true;
  return Number(mask) <= (addr.includes(':') ? 128 : 32);
}
