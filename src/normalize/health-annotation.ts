import type { MonitorSpec } from '../kube/types.js';
import type { MonitorModel } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { normalizeMonitors } from './pool.js';

/** An opening quote and the characters a JSON string may contain (not its closing quote). */
// eslint-disable-next-line no-control-regex -- JSON strings may not contain control characters
const STRING_BODY = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*/y;

/**
 * Finds where a text stops being JSON (RFC 8259), so a message can point at the offending
 * character: Node's own JSON.parse messages do not always give a position.
 */
class JsonScanner {
  private i = 0;

  private constructor(private readonly text: string) {}

  /** Offset of the first character that makes `text` invalid JSON (its length for a premature end). */
  static errorOffset(text: string): number | undefined {
    const scanner = new JsonScanner(text);
    if (!scanner.value()) return scanner.i;
    scanner.space();
    return scanner.i < text.length ? scanner.i : undefined;
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i] as string)) this.i++;
  }

  private value(): boolean {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.members('}', () => this.member());
    if (c === '[') return this.members(']', () => this.value());
    if (c === '"') return this.string();
    if (c === 't' || c === 'f' || c === 'n') return this.literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null');
    return this.number();
  }

  /** The comma-separated items of an object or array, the opening bracket at `i`. */
  private members(close: string, item: () => boolean): boolean {
    this.i++;
    this.space();
    if (this.text[this.i] === close) {
      this.i++;
      return true;
    }
    for (;;) {
      if (!item()) return false;
      this.space();
      const c = this.text[this.i];
      if (c !== ',' && c !== close) return false;
      this.i++;
      if (c === close) return true;
    }
  }

  private member(): boolean {
    this.space();
    if (this.text[this.i] !== '"' || !this.string()) return false;
    this.space();
    if (this.text[this.i] !== ':') return false;
    this.i++;
    return this.value();
  }

  private string(): boolean {
    STRING_BODY.lastIndex = this.i;
    STRING_BODY.exec(this.text);
    // Stops at the closing quote, or at the first character a string cannot contain.
    this.i = STRING_BODY.lastIndex;
    if (this.text[this.i] !== '"') return false;
    this.i++;
    return true;
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.i)) return false;
    this.i += word.length;
    return true;
  }

  private number(): boolean {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.i;
    if (!m.exec(this.text)) return false;
    this.i = m.lastIndex;
    return true;
  }
}

/** `unexpected "x" at line 2, column 5` for the first error in `text`. */
function describeJsonError(text: string): string {
  const offset = JsonScanner.errorOffset(text) ?? 0;
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before[before.length - 1] ?? '').length + 1;
  const word = /[A-Za-z0-9_.+-]+/y;
  word.lastIndex = offset;
  const what = offset >= text.length ? 'end of text' : JSON.stringify(word.exec(text)?.[0] ?? text[offset]);
  return `unexpected ${what} at line ${line}, column ${column} (position ${offset})`;
}

/** Parsed JSON, or undefined after reporting where the text stops being JSON. */
export function parseJsonAnnotation(r: FieldReader, field: string, text: string, expected: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return r.error(field, `is not valid JSON: ${describeJsonError(text)}; expected ${expected}`);
  }
}

const EXAMPLE = '{"type": "tcp", "interval": 10, "timeout": 31}';

/** `[0].interval` → the part of the annotation a problem is about (`interval` for a single object). */
function entryPath(field: string | undefined, single: boolean): string {
  const rest = (field ?? '').replace(/^health\.monitors/, '');
  return single ? rest.replace(/^\[0\]\.?/, '') : rest;
}

/** SCTP has no AS3 monitor type: an entry without `type` cannot take the port's protocol. */
function untypedOnSctp(r: FieldReader, field: string, list: unknown[], single: boolean): boolean {
  let bad = false;
  list.forEach((entry, i) => {
    const spec = (typeof entry === 'object' && entry !== null ? entry : {}) as MonitorSpec;
    if (spec.reference === 'bigip' || (spec.type !== undefined && spec.type !== '')) return;
    const where = single ? '' : `[${i}]: `;
    r.error(field, `${where}"type" is required for an SCTP port (AS3 has no SCTP monitor): use tcp, udp, http or https, or {"name": "/Common/sctp", "reference": "bigip"}`);
    bad = true;
  });
  return bad;
}

/**
 * The `cis.f5.com/health` annotation of a LoadBalancer Service: a JSON monitor object, or a list
 * of them, with the fields of VirtualServer pool monitors (`type`, `send`, `recv`, `interval`,
 * `timeout`, `targetPort`, or `name` + `reference: bigip`). An entry without `type` takes the port's
 * protocol. Undefined after reporting every problem at `field`, the message saying which entry.
 */
export function parseHealthAnnotation(r: FieldReader, field: string, text: string, defaultType: 'http' | 'tcp' | 'udp' | 'sctp'): MonitorModel[] | undefined {
  const expected = `a monitor object or a list of them, such as ${EXAMPLE}`;
  const value = parseJsonAnnotation(r, field, text, expected);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return r.error(field, `must be ${expected}`);
  const single = !Array.isArray(value);
  const list = single ? [value] : value as unknown[];
  if (defaultType === 'sctp' && untypedOnSctp(r, field, list, single)) return undefined;
  const sub = new FieldReader(r.ref);
  const monitors = normalizeMonitors(sub, 'health', { monitors: list as MonitorSpec[] }, defaultType === 'sctp' ? 'tcp' : defaultType);
  for (const d of sub.diagnostics) {
    const path = entryPath(d.field, single);
    const message = path === '' ? d.message : `${path}: ${d.message}`;
    if (d.severity === 'error') r.error(field, message);
    else r.warn(field, message);
  }
  return sub.hasErrors ? undefined : monitors;
}
