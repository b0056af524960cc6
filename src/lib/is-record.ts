/** A JSON object (not null, not an array): what parsed YAML/JSON and API answers are checked for. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
