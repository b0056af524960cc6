import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  const cases: Array<[string, unknown, unknown, boolean]> = [
    ['same scalars', 'a', 'a', true],
    ['different scalars', 1, '1', false],
    ['null and object', null, {}, false],
    ['key order does not matter', { a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
    ['nested difference', { a: { b: [1, 2] } }, { a: { b: [1, 3] } }, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['array length', [1], [1, 1], false],
    ['array and object', [], {}, false],
    ['object and array', {}, [], false],
    ['extra key', { a: 1 }, { a: 1, b: 2 }, false],
    ['same key count, different keys', { a: 1 }, { b: 1 }, false],
    ['undefined value is a key', { a: undefined }, {}, false],
  ];
  for (const [what, a, b, equal] of cases) {
    it(`${what}: ${equal}, as isDeepStrictEqual says`, () => {
      assert.equal(jsonEqual(a, b), equal);
      assert.equal(jsonEqual(b, a), equal);
      assert.equal(isDeepStrictEqual(a, b), equal);
    });
  }
});
