/**
 * AS3 object names. AS3 pointers (`use`, `pool`) accept only `[A-Za-z][0-9A-Za-z_]{0,63}`, so every
 * generated name follows that rule, which also satisfies the looser rules for applications.
 * Names are stable: the same input gives the same name on every run and every replica.
 */

export const MAX_POINTER_NAME = 64;

/** FNV-1a 32-bit, hex: a short stable digest for shortening or disambiguating names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Turns text into a valid AS3 name: characters outside `[A-Za-z0-9_]` become `_`, a leading
 * non-letter gets `prefix_`, and names over `max` characters are cut and end with a digest of
 * the full text, so two long names never collide.
 */
export function as3Name(text: string, prefix = 'n', max = MAX_POINTER_NAME): string {
  let name = text.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(name)) name = `${prefix}_${name}`;
  if (name.length > max) name = `${name.slice(0, max - 9)}_${shortHash(text)}`;
  return name;
}

/** Address text for names: `10.1.1.10` → `10_1_1_10`, `2001:db8::1` → `2001_db8__1`, `%2` → `_rd2`. */
export function addressForName(address: string): string {
  return address.replace(/%(\d+)$/, '_rd$1').replace(/[.:]/g, '_');
}

/**
 * Hands out names unique within one scope (an AS3 application). A second, different object whose
 * preferred name is taken gets the name plus a digest of its key; the same key always gets the same
 * name back. Callers must ask in a deterministic order.
 */
export class NameScope {
  private readonly byName = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  claim(preferred: string, key: string): string {
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    let name = preferred;
    if (this.byName.has(name)) {
      name = as3Name(`${preferred.slice(0, MAX_POINTER_NAME - 9)}_${shortHash(key)}`);
    }
    this.byName.set(name, key);
    this.byKey.set(key, name);
    return name;
  }
}
