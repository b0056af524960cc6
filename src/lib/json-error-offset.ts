/**
 * Where a text stops being JSON (RFC 8259), so a message can point at the offending character:
 * V8's JSON.parse messages do not always give a position (`Unexpected token 'x', "…" is not valid
 * JSON`). Used after JSON.parse failed, for annotations and for input files.
 */

/** An opening quote and the characters a JSON string may contain (not its closing quote). */
// eslint-disable-next-line no-control-regex -- JSON strings may not contain control characters
const STRING_BODY = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

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
    return this.sticky(NUMBER);
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
    // Stops at the closing quote, or at the first character a string cannot contain.
    this.sticky(STRING_BODY);
    if (this.text[this.i] !== '"') return false;
    this.i++;
    return true;
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.i)) return false;
    this.i += word.length;
    return true;
  }

  /** Advances over what a sticky pattern matches at `i`; false when it matches nothing. */
  private sticky(pattern: RegExp): boolean {
    pattern.lastIndex = this.i;
    if (!pattern.exec(this.text)) return false;
    this.i = pattern.lastIndex;
    return true;
  }
}

/** Offset of the first character that makes `text` invalid JSON (its length for a premature end); undefined for valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  return JsonScanner.errorOffset(text);
}
