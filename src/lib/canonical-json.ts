/**
 * Serialization with a fixed key order, so that equal declarations are byte-identical however
 * they were built. `class` comes first (AS3 readers expect it), then keys in code-point order.
 */

function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'class') return -1;
  if (b === 'class') return 1;
  return a < b ? -1 : 1;
}

/** Returns a deep copy of `value` whose objects have their keys in canonical order. */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonicalize(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = canonicalize(v);
  }
  return out as T;
}

export function canonicalJson(value: unknown, indent = 2): string {
  return JSON.stringify(canonicalize(value), null, indent);
}
