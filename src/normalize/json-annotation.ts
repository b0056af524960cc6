/**
 * JSON written inside annotations (the health monitors of Ingresses and LoadBalancer Services, the
 * Ingress clientssl list). A mistake there is easy to make and hard to see in a one-line value, so
 * the message says where the text stops being JSON: line, column and offset, and what was found.
 */
import { jsonErrorOffset } from '../lib/json-error-offset.js';
import type { FieldReader } from './fields.js';

/** `unexpected "x" at line 2, column 5 (position 12)` for the first error in `text`. */
function describeJsonError(text: string): string {
  const offset = jsonErrorOffset(text) ?? 0;
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before[before.length - 1] ?? '').length + 1;
  const word = /[A-Za-z0-9_.+-]+/y;
  word.lastIndex = offset;
  const what = offset >= text.length ? 'end of text' : JSON.stringify(word.exec(text)?.[0] ?? text[offset]);
  return `unexpected ${what} at line ${line}, column ${column} (position ${offset})`;
}

/**
 * The parsed JSON of an annotation, or undefined after an error on `field` that says where the
 * text stops being JSON and what was `expected` (`a list of monitors, such as [...]`).
 */
export function parseJsonAnnotation(r: FieldReader, field: string, text: string, expected: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return r.error(field, `is not valid JSON: ${describeJsonError(text)}; expected ${expected}`);
  }
}
