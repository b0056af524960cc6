import assert from 'node:assert/strict';
import { looksLikeJson, parseJsonText, positionOf, withoutBom } from './json-text.js';

describe('JSON input text', () => {
  const starts: Array<[string, boolean]> = [
    ['{"kind": "List"}', true],
    ['  \n\t[1]', true],
    ['\r\n{', true],
    ['kind: Service', false],
    ['---\n{"a": 1}', false],
    ['# {"a": 1}', false],
    ['', false],
    ['   ', false],
  ];
  for (const [text, expected] of starts) {
    it(`${JSON.stringify(text)} ${expected ? 'starts' : 'does not start'} like JSON`, () => assert.equal(looksLikeJson(text), expected));
  }

  it('drops a byte order mark', () => {
    assert.equal(withoutBom('\ufeff{"a": 1}'), '{"a": 1}');
    assert.equal(withoutBom('{}'), '{}');
  });

  const positions: Array<[string, number, { line: number; column: number }]> = [
    ['abc', 0, { line: 1, column: 1 }],
    ['abc\ndef', 5, { line: 2, column: 2 }],
    ['a\n\nb', 3, { line: 3, column: 1 }],
    ['ab', 99, { line: 1, column: 3 }],
  ];
  for (const [text, offset, expected] of positions) {
    it(`offset ${offset} of ${JSON.stringify(text)} is line ${expected.line}, column ${expected.column}`, () =>
      assert.deepEqual(positionOf(text, offset), expected));
  }

  const errors: Array<[string, string, RegExp]> = [
    ['a trailing comma', '{\n  "a": 1,\n}', /^invalid JSON at line 3, column 1: /],
    ['a missing colon', '{"kind" "List"}', /^invalid JSON at line 1, column 9: /],
    ['an unclosed array', '{"items": [\n  {}', /^invalid JSON at line 2, column 5: /],
    ['a bare word (V8 gives no position)', '{\n  "a": tru\n}', /^invalid JSON at line 2, column 8: /],
    [
      'an unexpected token in a long text (V8 quotes an excerpt)',
      `{"items": [${'{"a": 1}, '.repeat(20)}}`,
      /^invalid JSON at line 1, column 212: Unexpected token '}'$/,
    ],
    ['a second document', '{"a": 1}\n{"b": 2}', /^invalid JSON at line 2, column 1: .*after JSON$/],
    ['an empty text', '', /^invalid JSON at line 1, column 1: /],
  ];
  for (const [what, text, expected] of errors) {
    it(`says where the text stops being JSON: ${what}`, () => {
      const parsed = parseJsonText(text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.match(parsed.message, expected);
        assert.doesNotMatch(parsed.message, /position|is not valid JSON/, "the reason without V8's position or excerpt");
      }
    });
  }

  it('parses a valid text into one value', () => {
    assert.deepEqual(parseJsonText('{"kind": "List", "items": []}'), { ok: true, values: [{ kind: 'List', items: [] }] });
  });
});
