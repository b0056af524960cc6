/**
 * Multi-document YAML input, parsed with js-yaml's `loadAll` (on 10,000 VirtualServers about 7×
 * faster than the `yaml` library's documents, which keep an AST and source positions for every
 * node). The schema is YAML 1.2's core schema, as the `yaml` library used: `on`, `yes`, `y` stay
 * strings, `012` is the number 12 and `0o12` is 10, and unquoted dates stay strings. Merge keys
 * (`<<: *base`) are applied, as Kubernetes' own YAML reader does.
 *
 * js-yaml keeps an alias as a second reference to the anchored value rather than a copy, so a
 * "billion laughs" document costs nothing to parse but would expand in whatever walks it later:
 * documents whose aliases expand too far are refused, as the `yaml` library's alias limit did.
 */
import { CORE_SCHEMA, Type, YAMLException, loadAll } from 'js-yaml';
import { isRecord } from '../lib/is-record.js';
import { positionOf } from './json-text.js';
import type { ParsedText } from './json-text.js';

/** `<<` as a key: the loader merges the mappings given as its value (the tag is what it looks for). */
const MERGE_KEY = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' });

const SCHEMA = CORE_SCHEMA.extend({ implicit: [MERGE_KEY] });

/** Nodes that aliases may add to a document beyond the ones written. */
const MAX_ALIAS_EXPANSION = 100_000;

/** Aliases can only be written where an anchor (`&name`) was. */
function mayHaveAliases(text: string): boolean {
  return text.includes('&') && text.includes('*');
}

/**
 * The number of nodes of a value as a tree (shared values counted at every place they appear),
 * giving up once it passes `limit`; each shared value is measured once.
 */
function expandedSize(value: unknown, sizes: Map<object, number>, limit: number): number {
  if (value === null || typeof value !== 'object') return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  let size = 1;
  const children = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  for (const child of children) {
    size += expandedSize(child, sizes, limit);
    if (size > limit) break;
  }
  sizes.set(value, size);
  return size;
}

/** Distinct nodes of a value (each shared value once). */
function distinctSize(value: unknown, seen: Set<object>): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 1;
  seen.add(value);
  const children = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  let size = 1;
  for (const child of children) size += distinctSize(child, seen);
  return size;
}

function expandsTooFar(values: unknown[]): boolean {
  const written = distinctSize(values, new Set());
  const limit = written + MAX_ALIAS_EXPANSION;
  return expandedSize(values, new Map(), limit) > limit;
}

/** The documents of a YAML text, or `invalid YAML at line N: reason`. */
export function parseYamlText(text: string): ParsedText {
  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema: SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    // js-yaml ends a text without a final line break with one: an error at the very end is on the last line.
    const line = err.mark === undefined ? '' : ` at line ${positionOf(text, err.mark.position).line}`;
    return { ok: false, message: `invalid YAML${line}: ${err.reason}` };
  }
  if (mayHaveAliases(text) && expandsTooFar(values)) {
    return {
      ok: false,
      message: `invalid YAML: its aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (a resource exhaustion attack?)`,
    };
  }
  return { ok: true, values };
}
