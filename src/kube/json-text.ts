/**
 * JSON input: what `kubectl get -o json` prints, parsed with `JSON.parse` (many times faster than
 * a YAML parser, which would accept JSON too). A file is read as JSON when its name ends in
 * `.json` or its text starts with `{` or `[`, as kubectl decides; a syntax error is reported with
 * its line and column.
 */
import { jsonErrorOffset } from '../lib/json-error-offset.js';

/** The text without a leading byte order mark. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The first character that is not white space, or '' for a blank text. */
function firstSignificant(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return '';
}

/** Whether a text starts like a JSON document (an object or an array). */
export function looksLikeJson(text: string): boolean {
  const first = firstSignificant(text);
  return first === '{' || first === '[';
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** Where the text stops being JSON; its end when that cannot be told (nesting too deep to scan). */
function errorOffset(text: string): number {
  try {
    return jsonErrorOffset(text) ?? text.length;
  } catch {
    return text.length;
  }
}

export type ParsedText = { ok: true; values: unknown[] } | { ok: false; message: string };

/**
 * V8's reason without where it happened (`in JSON at position N`, and newer versions' line and
 * column) and without its excerpt of the text (`, "…" is not valid JSON`), which may be long.
 */
function reasonOf(message: string): string {
  return message.replace(/,?( in JSON)? at position \d+.*$/s, '').replace(/, .*is not valid JSON$/s, '');
}

/**
 * `JSON.parse`, with a syntax error as `invalid JSON at line L, column C: reason` (the position
 * from lib/json-error-offset.ts, since V8 does not always give one).
 */
export function parseJsonText(text: string): ParsedText {
  try {
    return { ok: true, values: [JSON.parse(text) as unknown] };
  } catch (err) {
    const { line, column } = positionOf(text, errorOffset(text));
    return { ok: false, message: `invalid JSON at line ${line}, column ${column}: ${reasonOf((err as Error).message)}` };
  }
}
