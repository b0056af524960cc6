import assert from 'node:assert/strict';
import { officialValidator } from './schema-validator.js';

describe('officialValidator messages', () => {
  const schema = JSON.stringify({
    $id: 'https://example.test/as3.json',
    definitions: {
      AS3: {
        type: 'object',
        additionalProperties: false,
        required: ['class'],
        properties: {
          class: { enum: ['AS3'] },
          name: { type: 'string', pattern: '^[A-Za-z][0-9A-Za-z_]{0,63}$' },
          port: { type: 'integer' },
        },
      },
    },
  });
  const validate = officialValidator(schema);
  const cases: Array<[string, unknown, string]> = [
    [
      'a pattern: the value, never the regular expression',
      { class: 'AS3', name: '1-bad' },
      '/name: "1-bad" is not in the form the schema requires here',
    ],
    ['an unknown property', { class: 'AS3', extra: 1 }, '(root): unknown property "extra"'],
    ['a value not in an enum', { class: 'ADC' }, '/class: must be one of "AS3"'],
    ['a missing property', {}, '(root): property "class" is required'],
    ["other keywords: Ajv's words", { class: 'AS3', port: 'x' }, '/port: must be integer'],
    ['valid', { class: 'AS3', name: 'ok_1' }, ''],
  ];
  for (const [what, declaration, expected] of cases) it(what, () => assert.equal(validate(declaration), expected));
});
