import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { configAjv, configValidatorSource } from '../src/config/config-validator-source.js';
import { configSchema } from '../src/config/config-schema.js';
import { validate } from '../src/config/config-validator.generated.js';

describe('the generated config validator', () => {
  it('is what Ajv compiles from config-schema.ts today (run `npm run generate` after changing the schema)', () => {
    const checkedIn = readFileSync(new URL('../src/config/config-validator.generated.ts', import.meta.url), 'utf8');
    assert.equal(checkedIn, configValidatorSource());
  });

  it('fills the same defaults and gives the same errors as Ajv compiling the schema at run time', () => {
    const compiled = configAjv().compile(configSchema);
    const generated = validate as unknown as ValidateFunction;
    const documents: unknown[] = [
      {},
      { bigip: { partition: 'Common', surprise: 1 }, namespaces: ['a', 'a', ''] },
      { multiCluster: { clusters: [{ name: 'Bad_Name', ratio: 101 }, {}] }, as3: { schemaVersion: '4' } },
      { ipam: { ranges: { lab: [] } }, poolMemberType: 'pods', ingressClass: '' },
    ];
    for (const document of documents) {
      const [expected, actual] = [structuredClone(document), structuredClone(document)];
      assert.equal(generated(actual), compiled(expected));
      assert.deepEqual(actual, expected);
      assert.deepEqual(generated.errors, compiled.errors);
    }
  });
});
