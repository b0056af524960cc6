import assert from 'node:assert/strict';
import { FieldReader } from './fields.js';
import { parseJsonAnnotation } from './json-annotation.js';

const FIELD = 'metadata.annotations["virtual-server.f5.com/health"]';

function parse(text: string): { value: unknown; reader: FieldReader } {
  const reader = new FieldReader({ kind: 'Ingress', namespace: 'shop', name: 'web' });
  return { value: parseJsonAnnotation(reader, FIELD, text, 'a list of monitors'), reader };
}

describe('parseJsonAnnotation', () => {
  const good: Array<[string, unknown]> = [
    ['[{"path": "a.com/", "interval": 5}]', [{ path: 'a.com/', interval: 5 }]],
    [' {"a": [true, false, null, -1.5e3, "x\\u0041\\n"]} ', { a: [true, false, null, -1500, 'xA\n'] }],
    ['null', null],
  ];
  for (const [text, expected] of good) {
    it(`parses ${text.trim()}`, () => {
      const { value, reader } = parse(text);
      assert.deepEqual(reader.diagnostics, []);
      assert.deepEqual(value, expected);
    });
  }

  // Where the text stops being JSON, as the message says it; the whole word that was found.
  const bad: Array<[string, string, string]> = [
    ['a bare word', '{"type": tcp}', 'unexpected "tcp" at line 1, column 10 (position 9)'],
    ['a misspelt literal', '{"adaptive": ture}', 'unexpected "ture" at line 1, column 14 (position 13)'],
    ['a trailing comma in an object', '[{"path": "a.com/", "interval": 5,}]', 'unexpected "}" at line 1, column 35 (position 34)'],
    ['a trailing comma on the next line', '[\n  {"type": "tcp"},\n]', 'unexpected "]" at line 3, column 1 (position 21)'],
    ['a truncated list', '[{"type": "tcp"}', 'unexpected end of text at line 1, column 17 (position 16)'],
    [
      'an unterminated string, at its end rather than its quote',
      '{"type": "tcp',
      'unexpected end of text at line 1, column 14 (position 13)',
    ],
    ['a raw line break inside a string', '{"send": "GET /\n"}', 'unexpected "\\n" at line 1, column 16 (position 15)'],
    ['an unquoted key', '{type: "tcp"}', 'unexpected "type" at line 1, column 2 (position 1)'],
    ['a missing colon', '{"type" "tcp"}', 'unexpected "\\"" at line 1, column 9 (position 8)'],
    ['text after the value', '[] []', 'unexpected "[" at line 1, column 4 (position 3)'],
    ['a path without quotes', '[{"bigIpProfile": /Common/x}]', 'unexpected "/" at line 1, column 19 (position 18)'],
  ];
  for (const [what, text, where] of bad) {
    it(`says where ${what} breaks the JSON`, () => {
      const { value, reader } = parse(text);
      assert.equal(value, undefined);
      assert.deepEqual(
        reader.diagnostics.map((d) => [d.severity, d.field, d.message]),
        [['error', FIELD, `is not valid JSON: ${where}; expected a list of monitors`]],
      );
    });
  }
});
